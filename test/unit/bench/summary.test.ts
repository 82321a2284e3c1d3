import { describe, expect, it } from 'vitest';
import { machineFacts, parseRows, summaryTable } from '../../../bench/summary.ts';

describe('the bench summary', () => {
  it('keeps every well-formed row and skips what a crashed benchmark left half-written', () => {
    const text = [
      JSON.stringify({
        bench: 'floor',
        name: 'bare activity',
        value: 9.1,
        unit: 'ms/call',
        ratio: 1,
        mode: 'sequential',
      }),
      '{"bench":"floor","name":"cut off',
      JSON.stringify({ bench: 'pdp', name: 'p99', value: '12', unit: 'µs' }),
      JSON.stringify({ bench: 'pdp', name: 'PDP uncached p99', value: 412.5, unit: 'µs' }),
      '',
    ].join('\n');
    const rows = parseRows(text);
    expect(rows.map((r) => r.name)).toEqual(['bare activity', 'PDP uncached p99']);
    const table = summaryTable(rows).split('\n');
    expect(table).toHaveLength(4);
    expect(table[0]).toMatch(
      /^\| bench +\| measurement +\| +value \| unit +\| ratio to bare activity \| mode +\|$/,
    );
    expect(table[2]).toMatch(
      /\| floor +\| bare activity +\| +9\.10 \| ms\/call +\| 1\.00× +\| sequential \|/,
    );
    expect(table[3]).toMatch(/\| pdp +\| PDP uncached p99 +\| +413 \| µs +\| +\| +\|/);
  });

  it('states the machine the numbers come from', () => {
    const facts = machineFacts();
    expect(facts.cpus).toBeGreaterThan(0);
    expect(facts.node).toBe(process.version);
    expect(facts.os.length).toBeGreaterThan(0);
  });
});
