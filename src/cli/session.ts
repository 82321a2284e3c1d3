import type { WardenConfig } from '../config/env.ts';
import { resolveTemporal, type TemporalEndpoint } from '../temporal/launcher.ts';
import { cliConfig } from './project.ts';

export interface CliSession {
  config: WardenConfig;
  endpoint: TemporalEndpoint;
}

/** Loads configuration and finds (or starts) the Temporal server, reporting progress on stderr. */
export async function openSession(options: { uiCodecEndpoint?: string } = {}): Promise<CliSession> {
  const config = await cliConfig();
  const endpoint = await resolveTemporal(config, {
    log: (line) => process.stderr.write(`${line}\n`),
    ...options,
  });
  return { config, endpoint };
}

/**
 * Resolves on the first Ctrl-C or SIGTERM, so the caller can drain and stop cleanly; a second one
 * forces an immediate exit. The handlers stay installed: with no listener left, the TypeScript
 * loader would end the process with 130 in the middle of the clean stop.
 */
export function untilInterrupted(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let received = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (received) {
        process.stderr.write(`second ${signal}: stopping now\n`);
        process.exit(130);
      }
      received = true;
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
