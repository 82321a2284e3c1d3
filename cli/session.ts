import { loadConfig, type WardenConfig } from '../config/env.ts';
import { resolveTemporal, type TemporalEndpoint } from '../temporal/launcher.ts';

export interface CliSession {
  config: WardenConfig;
  endpoint: TemporalEndpoint;
}

/** Loads configuration and finds (or starts) the Temporal server, reporting progress on stderr. */
export async function openSession(): Promise<CliSession> {
  const config = loadConfig();
  const endpoint = await resolveTemporal(config, { log: (line) => process.stderr.write(`${line}\n`) });
  return { config, endpoint };
}

/** Resolves on the first Ctrl-C or SIGTERM. */
export function untilInterrupted(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
