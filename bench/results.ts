/**
 * One row per measurement, for the summary `npm run bench` prints and the JSON it writes. Each
 * benchmark runs in its own process: `bench/index.ts` names a file in BENCH_ROWS_FILE and the
 * benchmarks append their rows to it (a benchmark run alone just prints its own output).
 */
import { appendFileSync } from 'node:fs';

export interface BenchRow {
  /** The benchmark file, e.g. `floor`. */
  bench: string;
  /** What was measured, e.g. `guarded unattended call`. */
  name: string;
  value: number;
  /** `ms/call`, `ms`, `MiB`, `approvals/s`, `µs`, … */
  unit: string;
  /** To the bare activity of the same run, where that comparison means something. */
  ratio?: number;
  mode?: 'sequential' | 'parallel';
  /** Settings the row depends on, e.g. `{ paused: 1000, maxCachedWorkflows: 250 }`. */
  params?: Record<string, string | number | boolean>;
}

export const ROWS_FILE_ENV = 'BENCH_ROWS_FILE';

/** Appends a measurement for the summary; a no-op when the benchmark runs on its own. */
export function record(row: BenchRow): void {
  const file = process.env[ROWS_FILE_ENV];
  if (file === undefined || file === '') return;
  appendFileSync(file, `${JSON.stringify(row)}\n`);
}
