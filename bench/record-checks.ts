import path from 'node:path';
import { EmbeddedAuthorizer } from '../src/authz/embedded/authorizer.ts';
import { loadPolicyDir } from '../src/authz/policy-loader.ts';
import { checkRecords } from '../src/authz/record-checks.ts';
import { filterRecords } from '../src/authz/record-filter.ts';
import type { Authorizer, OsoValue } from '../src/authz/types.ts';

/**
 * What per-record authorization adds to a call on the embedded PDP: the tool check alone (invoke +
 * invoke_unattended, as every call makes it), the same plus one record checked for the user and the
 * agent, and a search's output of n records filtered.
 */
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 1_000);
const WARMUP = 200;

const who = { agent: { type: 'Agent', id: 'support-bot' }, onBehalfOf: { type: 'User', id: 'alice' } };
const tool = { type: 'Tool', id: 'crm.get_customer' };
const customers = (n: number): OsoValue[] =>
  Array.from({ length: n }, (_, i) => ({
    type: 'Customer',
    id: i % 2 === 0 ? `c-${1001 + (i % 12)}` : 'c-2001',
  }));

async function toolCheck(authz: Authorizer) {
  const req = { actor: who.agent, onBehalfOf: who.onBehalfOf, resource: tool };
  await authz.authorize({ ...req, action: 'invoke' });
  await authz.authorize({ ...req, action: 'invoke_unattended' });
}

async function measure(work: () => Promise<unknown>) {
  for (let i = 0; i < WARMUP; i++) await work();
  const times = new Float64Array(ITERATIONS);
  for (let i = 0; i < ITERATIONS; i++) {
    const t = performance.now();
    await work();
    times[i] = performance.now() - t;
  }
  times.sort();
  const pct = (p: number) => times[Math.min(ITERATIONS - 1, Math.floor(ITERATIONS * p))]! * 1000;
  return { p50: pct(0.5), p99: pct(0.99) };
}

async function main() {
  const { model, facts } = await loadPolicyDir(
    path.resolve(process.env.WARDEN_POLICY_DIR ?? 'examples/support-copilot/policies'),
  );
  console.log(`embedded PDP, policy ${model.version}, ${facts.length} facts, ${ITERATIONS} runs per row`);
  const rows: Array<[string, () => Promise<unknown>]> = [];
  for (const cached of [false, true]) {
    const authz = await EmbeddedAuthorizer.create(model, facts, { cacheSize: cached ? 10_000 : 0 });
    const label = cached ? 'cached  ' : 'uncached';
    const oneRecord = () => [{ action: 'read', resource: { type: 'Customer', id: 'c-1001' } }];
    rows.push(
      [`${label} tool check only (invoke, invoke_unattended)`, () => toolCheck(authz)],
      [
        `${label} tool check + 1 record (user, agent)`,
        () => Promise.all([toolCheck(authz), checkRecords(authz, who, oneRecord, tool)]),
      ],
      [`${label} 1 record check alone`, () => checkRecords(authz, who, oneRecord, tool)],
      ...[10, 50].map(
        (n) =>
          [
            `${label} filter ${n} search results`,
            () => filterRecords(authz, who, 'read', 'Customer', customers(n)),
          ] as [string, () => Promise<unknown>],
      ),
    );
    for (const [name, work] of rows.splice(0)) {
      const r = await measure(work);
      console.log(
        `${name.padEnd(54)} p50 ${r.p50.toFixed(0).padStart(7)} µs  p99 ${r.p99.toFixed(0).padStart(7)} µs`,
      );
    }
    await authz.close();
  }
}

await main();
