/** `npm run bench`: every benchmark, one after the other, so they do not load the machine together. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const benches = ['floor.ts', 'guard-overhead.ts', 'codec-overhead.ts', 'pdp.ts', 'record-checks.ts'];
let failed = false;
for (const file of benches) {
  console.log(`\n== ${file}`);
  const script = fileURLToPath(new URL(`./${file}`, import.meta.url));
  // The examples import `warden` by name: the source condition resolves it to src/, as the npm script does.
  const result = spawnSync(process.execPath, ['--conditions=warden-source', '--import', 'tsx', script], {
    stdio: 'inherit',
  });
  if (result.status !== 0) failed = true;
}
process.exitCode = failed ? 1 : 0;
