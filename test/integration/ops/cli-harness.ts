import { main } from '../../../src/cli/main.ts';
import { EXAMPLE_DIR } from '../../support/example.ts';
import { TEST_KEY_CONFIG } from '../../support/keys.ts';
import { testDataDir, testServer } from '../../support/temporal.ts';

export interface InProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Points the in-process CLI at the shared test server and the example project (each test file runs
 * in its own process).
 */
export function useTestServerEnv(extra: Record<string, string> = {}): void {
  const { address, namespace } = testServer();
  Object.assign(process.env, {
    TEMPORAL_ADDRESS: address,
    TEMPORAL_NAMESPACE: namespace,
    WARDEN_CONFIG: EXAMPLE_DIR,
    // The same data directory and keys as the test's workers: the CLI reads what they wrote.
    WARDEN_DATA_DIR: testDataDir(),
    ...TEST_KEY_CONFIG,
    ...extra,
  });
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs `warden <args>` inside this process (fast: no tsx start-up, shared workflow bundle) and
 * captures what it writes. Calls are serialized because stdout is process-wide.
 */
export function warden(...args: string[]): Promise<InProcessResult> {
  const run = queue.then(async () => {
    let stdout = '';
    let stderr = '';
    const outWrite = process.stdout.write.bind(process.stdout);
    const errWrite = process.stderr.write.bind(process.stderr);
    process.stdout.write = ((chunk: string | Uint8Array) => {
      stdout += chunk.toString();
      return true;
    }) as typeof process.stdout.write;
    process.stderr.write = ((chunk: string | Uint8Array) => {
      stderr += chunk.toString();
      return true;
    }) as typeof process.stderr.write;
    // vitest routes console.* through its own reporter, so capture those too.
    const log = console.log;
    const error = console.error;
    console.log = (...parts: unknown[]) => {
      stdout += `${parts.map(String).join(' ')}\n`;
    };
    console.error = (...parts: unknown[]) => {
      stderr += `${parts.map(String).join(' ')}\n`;
    };
    process.exitCode = 0;
    try {
      await main(['node', 'warden', ...args]);
    } finally {
      process.stdout.write = outWrite;
      process.stderr.write = errWrite;
      console.log = log;
      console.error = error;
    }
    const code = Number(process.exitCode ?? 0);
    process.exitCode = 0;
    return { code, stdout, stderr };
  });
  queue = run.catch(() => {});
  return run;
}
