import { DefaultLogger, type LogEntry, type LogLevel, Runtime } from '@temporalio/worker';

let installed = false;

/** Expected by design: tool-only workers of a trust zone serve activities and no workflows. */
const EXPECTED_MESSAGES = ['No workflows registered, not polling for workflow tasks'];

/** Quiets the SDK's per-worker INFO lines; call once, before the first worker is created. */
export function installWorkerLogging(level: LogLevel = 'WARN'): void {
  if (installed) return;
  installed = true;
  const fallback = new DefaultLogger(level);
  const logger = new DefaultLogger(level, (entry: LogEntry) => {
    if (EXPECTED_MESSAGES.includes(entry.message)) return;
    fallback.log(entry.level, entry.message, entry.meta);
  });
  Runtime.install({ logger });
}
