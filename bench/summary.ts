/** The summary of one `npm run bench`: the table it prints and the JSON it writes. */
import os from 'node:os';
import type { BenchRow } from './results.ts';

export interface MachineFacts {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  os: string;
  loadAverage: number[];
}

export function machineFacts(): MachineFacts {
  return {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

/** Rows from the benchmarks' JSON lines; a line that is not a row is skipped, never fatal. */
export function parseRows(text: string): BenchRow[] {
  const rows: BenchRow[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const row = JSON.parse(line) as Partial<BenchRow>;
      if (
        typeof row.bench === 'string' &&
        typeof row.name === 'string' &&
        typeof row.value === 'number' &&
        typeof row.unit === 'string'
      )
        rows.push(row as BenchRow);
    } catch {
      // A partial line from a benchmark that crashed mid-write.
    }
  }
  return rows;
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** A Markdown table (it reads as plain text too): benchmark, measurement, value, unit, ratio, mode. */
export function summaryTable(rows: BenchRow[]): string {
  const header = ['bench', 'measurement', 'value', 'unit', 'ratio to bare activity', 'mode'];
  const body = rows.map((r) => [
    r.bench,
    r.name,
    formatNumber(r.value),
    r.unit,
    r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}×`,
    r.mode ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => (cells[i] ?? '').length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 2 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join(' | ')} |`;
  return [
    line(header),
    `|${widths.map((w, i) => (i === 2 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`,
    ...body.map(line),
  ].join('\n');
}
