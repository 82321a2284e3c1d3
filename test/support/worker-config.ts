import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EXAMPLE_DIR } from './example.ts';

/** Writes the example project's config as JSON with the given `worker` section; returns its path. */
export function workerConfigWriter(prefix: string): (worker: unknown) => string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return (worker) => {
    const file = path.join(dir, 'warden.config.json');
    writeFileSync(
      file,
      JSON.stringify({
        agents: path.join(EXAMPLE_DIR, 'agents.ts'),
        workflows: path.join(EXAMPLE_DIR, 'workflows.ts'),
        worker,
      }),
    );
    return file;
  };
}
