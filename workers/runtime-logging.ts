import { DefaultLogger, type LogLevel, Runtime } from '@temporalio/worker';

let installed = false;

/** Quiets the SDK's per-worker INFO lines; call once, before the first worker is created. */
export function installWorkerLogging(level: LogLevel = 'WARN'): void {
  if (installed) return;
  installed = true;
  Runtime.install({ logger: new DefaultLogger(level) });
}
