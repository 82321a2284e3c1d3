/**
 * `npm run bench`: every benchmark, one after the other, so they do not load the machine together.
 * Each keeps its own output; at the end one table sums up every measurement (the thing to quote),
 * and the full results go to BENCH_OUT (default bench/results/latest.json) with the machine's facts.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROWS_FILE_ENV } from './results.ts';
import { machineFacts, parseRows, summaryTable } from './summary.ts';

const benches = [
  'floor.ts',
  'guard-overhead.ts',
  'codec-overhead.ts',
  'pdp.ts',
  'sandbox-verification.ts',
  'workflow-evaluation.ts',
  'record-checks.ts',
  'alert-history.ts',
  'long-run.ts',
  'scale-of-waiting.ts',
];
const out = path.resolve(
  process.env.BENCH_OUT ?? fileURLToPath(new URL('./results/latest.json', import.meta.url)),
);
const scratch = mkdtempSync(path.join(tmpdir(), 'warden-bench-rows-'));
const rowsFile = path.join(scratch, 'rows.jsonl');
writeFileSync(rowsFile, '');
const machine = machineFacts();
const started = new Date();
const failed: string[] = [];
for (const file of benches) {
  console.log(`\n== ${file}`);
  const script = fileURLToPath(new URL(`./${file}`, import.meta.url));
  // The examples import `warden` by name: the source condition resolves it to src/, as the npm script does.
  const result = spawnSync(process.execPath, ['--conditions=warden-source', '--import', 'tsx', script], {
    stdio: 'inherit',
    env: { ...process.env, [ROWS_FILE_ENV]: rowsFile },
  });
  if (result.status !== 0) failed.push(file);
}
const rows = parseRows(readFileSync(rowsFile, 'utf8'));
rmSync(scratch, { recursive: true, force: true });

console.log(
  `\n== summary (${machine.cpus} CPUs ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.os}; load average at start ${machine.loadAverage.join(' ')})\n`,
);
console.log(summaryTable(rows));
if (failed.length > 0) console.log(`\nfailed: ${failed.join(', ')} (their rows are missing)`);
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify({ startedAt: started.toISOString(), finishedAt: new Date().toISOString(), machine, failed, rows }, null, 2)}\n`,
);
console.log(`\nresults: ${path.relative(process.cwd(), out)}`);
process.exitCode = failed.length > 0 ? 1 : 0;
