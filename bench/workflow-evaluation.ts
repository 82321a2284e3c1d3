/**
 * What a run's module evaluation costs in the workers' sandbox, with and without the workflow tracing
 * interceptors in the bundle (a project's `tracing.workflows`): the example's bundle in a V8 context
 * as the SDK holds it (test/support/workflow-sandbox.ts), each run a fresh module cache evaluating
 * what a run starts with (its interceptor modules, its workflows module). CPU time of this process
 * per run, the two bundles taking turns so other load on the machine falls on both alike.
 * Every replay of an evicted run pays this again. BENCH_EVALUATION_RUNS (default 50) runs per bundle.
 */
import { RUN_START, workflowSandbox } from '../test/support/workflow-sandbox.ts';
import { ownCpuMs } from './cpu.ts';
import { record } from './results.ts';
import { median } from './stats.ts';

const RUNS = Number(process.env.BENCH_EVALUATION_RUNS ?? 50);
/** The global the interceptors' runtime module sets in a real run, which the harness is not. */
const AS_IN_A_RUN = 'globalThis.performance ??= { timeOrigin: 0, now: () => 0 };';

const sides = {
  untraced: await workflowSandbox({ traceWorkflows: false }),
  traced: await workflowSandbox({ traceWorkflows: true }),
};
const perRun: Record<keyof typeof sides, number[]> = { untraced: [], traced: [] };
const modules: Record<keyof typeof sides, number> = { untraced: 0, traced: 0 };
for (const box of Object.values(sides)) for (let i = 0; i < 5; i++) box.run(AS_IN_A_RUN + RUN_START);
// One run of each bundle in turn, each run timed alone: the median is robust to a collection
// (or another process) landing on one of them.
for (let i = 0; i < RUNS; i++) {
  const order = i % 2 === 0 ? (['untraced', 'traced'] as const) : (['traced', 'untraced'] as const);
  for (const side of order) {
    const cpu = ownCpuMs();
    modules[side] = sides[side].run(AS_IN_A_RUN + RUN_START).modules.length;
    perRun[side].push(ownCpuMs() - cpu);
  }
}
const untraced = median(perRun.untraced);
const traced = median(perRun.traced);
console.log(`module evaluation per run (median of ${RUNS} runs each, taking turns; CPU of this process):`);
console.log(
  `  without workflow tracing interceptors: ${untraced.toFixed(2)} ms (${modules.untraced} modules)`,
);
console.log(`  with them:                             ${traced.toFixed(2)} ms (${modules.traced} modules)`);
console.log(
  `  the interceptors cost ${(traced - untraced).toFixed(2)} ms per run (and per replay of an evicted run)`,
);
record({
  bench: 'workflow-evaluation',
  name: 'run module evaluation, no workflow tracing',
  value: untraced,
  unit: 'ms/run',
});
record({
  bench: 'workflow-evaluation',
  name: 'run module evaluation, workflow tracing interceptors',
  value: traced,
  unit: 'ms/run',
});
