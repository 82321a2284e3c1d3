import path from 'node:path';
import { EmbeddedAuthorizer } from '../src/authz/embedded/authorizer.ts';
import { loadPolicyDir } from '../src/authz/policy-loader.ts';
import type { Authorizer, AuthzRequest } from '../src/authz/types.ts';
import { record } from './results.ts';

/** Decisions/s and latency percentiles of the embedded PDP on the shipped policy. */
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 5_000);
const WARMUP = 1_000;

const bot = { type: 'Agent', id: 'support-bot' };
const alice = { type: 'User', id: 'alice' };
const refund = { type: 'Tool', id: 'crm.issue_refund' };
const CASES: Array<{ name: string; req: AuthzRequest; expect: boolean }> = [
  {
    name: 'allowed (agent for user, refund 80 unattended)',
    req: {
      actor: bot,
      action: 'invoke_unattended',
      resource: refund,
      onBehalfOf: alice,
      context: [['refund_amount', refund, 80]],
    },
    expect: true,
  },
  {
    name: 'denied  (agent for user, delete_customer)',
    req: {
      actor: bot,
      action: 'invoke',
      resource: { type: 'Tool', id: 'crm.delete_customer' },
      onBehalfOf: alice,
    },
    expect: false,
  },
];

async function measure(authz: Authorizer, req: AuthzRequest, expect: boolean) {
  for (let i = 0; i < WARMUP; i++) await authz.authorize(req);
  const times = new Float64Array(ITERATIONS);
  const started = performance.now();
  // CPU time is robust to other processes on a busy machine; wall-clock percentiles are not.
  const cpuBefore = process.cpuUsage();
  for (let i = 0; i < ITERATIONS; i++) {
    const t = performance.now();
    const d = await authz.authorize(req);
    times[i] = performance.now() - t;
    if (d.allowed !== expect) throw new Error(`unexpected decision: ${d.reason}`);
  }
  const total = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  times.sort();
  const pct = (p: number) => times[Math.min(ITERATIONS - 1, Math.floor(ITERATIONS * p))]! * 1000;
  return {
    perSecond: Math.round((ITERATIONS / total) * 1000),
    p50: pct(0.5),
    p99: pct(0.99),
    cpuPerDecision: (cpu.user + cpu.system) / ITERATIONS,
  };
}

async function main() {
  const { model, facts } = await loadPolicyDir(
    path.resolve(process.env.WARDEN_POLICY_DIR ?? 'examples/support-copilot/policies'),
  );
  console.log(
    `embedded PDP, policy ${model.version}, ${facts.length} facts, ${ITERATIONS} decisions per row`,
  );
  for (const cached of [false, true]) {
    const authz = await EmbeddedAuthorizer.create(model, facts, { cacheSize: cached ? 10_000 : 0 });
    for (const c of CASES) {
      const r = await measure(authz, c.req, c.expect);
      console.log(
        `${cached ? 'cached  ' : 'uncached'}  ${c.name.padEnd(48)} ${String(r.perSecond).padStart(8)} decisions/s` +
          `  p50 ${r.p50.toFixed(1).padStart(7)} µs  p99 ${r.p99.toFixed(1).padStart(7)} µs` +
          `  cpu ${r.cpuPerDecision.toFixed(1).padStart(7)} µs/decision`,
      );
      const name = `PDP ${cached ? 'cached' : 'uncached'}, ${c.expect ? 'allowed' : 'denied'}`;
      record({ bench: 'pdp', name: `${name} p50`, value: r.p50, unit: 'µs' });
      record({ bench: 'pdp', name: `${name} p99`, value: r.p99, unit: 'µs' });
    }
    await authz.close();
  }
}

await main();
