import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * The lines a racing process's script starts with (an ES module run by {@link raceProcesses}): it
 * says it is ready, then waits for the signal, so every process starts its work together however
 * long each took to load.
 */
export function startingLine(dataDir: string, name: string): string {
  return `writeFileSync(${JSON.stringify(path.join(dataDir, `ready-${name}`))}, '');
while (!existsSync(${JSON.stringify(path.join(dataDir, 'go'))})) await new Promise((resolve) => setTimeout(resolve, 2));`;
}

/**
 * Runs one Node process per name, each the script `script(name)` (which imports `existsSync` and
 * `writeFileSync` from node:fs and opens with {@link startingLine}), lets them all go at once, and
 * returns what each printed, trimmed, in the order of `names`.
 */
export async function raceProcesses(
  dataDir: string,
  names: readonly string[],
  script: (name: string) => string,
): Promise<string[]> {
  const run = promisify(execFile);
  const running = Promise.all(
    names.map((name) =>
      run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script(name)], {
        encoding: 'utf8',
        env: { ...process.env, NODE_OPTIONS: '' },
        timeout: 60_000,
      }),
    ),
  );
  while (!names.every((name) => existsSync(path.join(dataDir, `ready-${name}`))))
    await new Promise((resolve) => setTimeout(resolve, 10));
  writeFileSync(path.join(dataDir, 'go'), '');
  return (await running).map((output) => output.stdout.trim());
}
