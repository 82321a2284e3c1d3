/** `npm run bench`: every benchmark, one after the other, so they do not load the machine together. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const benches = ['guard-overhead.ts', 'codec-overhead.ts', 'pdp.ts'];
let failed = false;
for (const file of benches) {
  console.log(`\n== ${file}`);
  const script = fileURLToPath(new URL(`./${file}`, import.meta.url));
  const result = spawnSync(process.execPath, ['--import', 'tsx', script], { stdio: 'inherit' });
  if (result.status !== 0) failed = true;
}
process.exitCode = failed ? 1 : 0;
