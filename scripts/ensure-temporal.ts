/**
 * Run by `npm install`: makes sure a Temporal CLI (the local dev server) is available, building it
 * with Go when missing. Never fails the install: without Go, Warden falls back to TEMPORAL_ADDRESS
 * or the Temporal SDK's own download at start.
 */
import { ensureTemporalCli, findTemporalCli, hasGoToolchain } from '../src/temporal/cli-binary.ts';

const log = (line: string) => console.log(`[warden] ${line}`);

if (process.env.TEMPORAL_ADDRESS) {
  log(`TEMPORAL_ADDRESS=${process.env.TEMPORAL_ADDRESS}: using that cluster, no local server needed`);
} else if (!findTemporalCli(process.env.TEMPORAL_CLI_PATH || undefined) && !hasGoToolchain()) {
  log(
    'no temporal binary and no Go toolchain: set TEMPORAL_ADDRESS, install Go, or let the SDK download a server',
  );
} else {
  try {
    const binary = await ensureTemporalCli(log, process.env.TEMPORAL_CLI_PATH || undefined);
    log(`Temporal CLI: ${binary}`);
  } catch (error) {
    log(`could not prepare the Temporal CLI: ${error instanceof Error ? error.message : String(error)}`);
  }
}
