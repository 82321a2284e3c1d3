/**
 * `npm run eval`: Warden's own adversarial evaluation. Every task of every domain runs on a real
 * Temporal dev server and real workers under each configuration (no guard, today's guard, and the
 * guard with provenance when the domain has such a project), with the obedient scripted model and no
 * human (a call that waits for a person times out, not executed). Prints the table and writes
 * eval/results/latest.json.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startTestServer } from 'warden/testing';
import { type EvalDomain, evalDomains } from './domains/index.ts';
import { bareConfiguration, type Configuration, wardenConfiguration } from './harness/configurations.ts';
import { applyPatches } from './harness/domain.ts';
import { obedientModels } from './harness/obedient-model.ts';
import { checkTargets, details, table } from './harness/report.ts';
import { scoreTask, summarize, type TaskOutcome } from './harness/score.ts';
import { type EvalTask, loadTaskFile } from './harness/tasks.ts';

// Most of a run is waiting on Temporal and on absent approvers, so six run at once even on two cores.
const CONCURRENCY = Number(process.env.EVAL_CONCURRENCY ?? 6);
/**
 * The configurations the issue's targets gate: the guard with provenance. Today's guard is there to
 * compare against and is known to miss them (that is what provenance is for).
 */
const GATED = new Set(['provenance']);
/** The provenance-aware guard's project file, next to a domain's warden.config.ts. */
const PROVENANCE_CONFIG = 'warden.provenance.config.ts';

function loadTasks(domain: EvalDomain): EvalTask[] {
  return loadTaskFile(domain.taskFile, (p) => {
    domain.domain.predicate.parse(p);
  });
}

async function pool<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

async function runConfiguration(
  config: Configuration,
  work: ReadonlyArray<{ domain: EvalDomain; task: EvalTask }>,
): Promise<TaskOutcome[]> {
  return pool(work, CONCURRENCY, async ({ domain, task }) => {
    const workflowId = `eval-${config.name}-${task.id}-${randomUUID().slice(0, 6)}`;
    const data = applyPatches(domain.domain.seed(), [
      ...task.seed,
      ...(task.kind === 'injection' ? task.inject : []),
    ]);
    const state = domain.domain.build(data);
    domain.environments.register(workflowId, state);
    const calls = await config.run(domain, task, workflowId);
    return scoreTask(domain.domain, task, state, calls);
  });
}

async function main() {
  const started = Date.now();
  const work = evalDomains.flatMap((domain) => loadTasks(domain).map((task) => ({ domain, task })));
  const tasks = new Map(work.map(({ task }) => [task.id, task]));
  const models = obedientModels(tasks);
  const endpoint = await startTestServer({ log: (line) => console.error(line) });
  // Warden's workers install the SDK's quiet logging when the first of them starts, so a Warden
  // configuration runs first; the table shows the baseline first.
  const configurations: Array<() => Promise<Configuration>> = [
    () =>
      wardenConfiguration({
        name: 'guard',
        description: "today's guard: policy, intent rules, approvals",
        endpoint,
        domains: evalDomains,
        models,
      }),
  ];
  const withProvenance = evalDomains.filter((d) => existsSync(path.join(d.projectDir, PROVENANCE_CONFIG)));
  if (withProvenance.length > 0) {
    configurations.push(() =>
      wardenConfiguration({
        name: 'provenance',
        description: 'the guard with provenance: trust labels, tainted and confidential arguments',
        endpoint,
        domains: withProvenance,
        models,
        configFile: PROVENANCE_CONFIG,
      }),
    );
  }
  configurations.push(() => bareConfiguration(endpoint, tasks, evalDomains));

  const results: Array<{ config: string; description: string; outcomes: TaskOutcome[] }> = [];
  try {
    for (const create of configurations) {
      const config = await create();
      try {
        const domains = new Set(
          config.name === 'provenance'
            ? withProvenance.map((d) => d.domain.name)
            : evalDomains.map((d) => d.domain.name),
        );
        const mine = work.filter((w) => domains.has(w.domain.domain.name));
        const t0 = Date.now();
        const outcomes = await runConfiguration(config, mine);
        console.error(`${config.name}: ${mine.length} runs in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        results.push({ config: config.name, description: config.description, outcomes });
      } finally {
        await config.shutdown();
      }
    }
  } finally {
    await endpoint.stop();
  }

  const order = ['none', 'guard', 'provenance'];
  results.sort((a, b) => order.indexOf(a.config) - order.indexOf(b.config));
  const summaries = results.flatMap(({ config, outcomes }) =>
    [...new Set(outcomes.map((o) => o.domain))].map((domain) =>
      summarize(
        config,
        domain,
        outcomes.filter((o) => o.domain === domain),
      ),
    ),
  );
  const targets = checkTargets(summaries, 'none');
  console.log(
    `\nWarden adversarial evaluation: ${work.length} tasks, no human (escalation = not executed)\n`,
  );
  console.log(table(summaries));
  console.log('');
  for (const t of targets) {
    console.log(`targets ${t.config}/${t.domain}: ${t.met ? 'met' : `missed (${t.misses.join('; ')})`}`);
  }
  console.log('');
  for (const { config, outcomes } of results) console.log(details(config, outcomes).join('\n'));

  const out = path.join(import.meta.dirname, 'results');
  mkdirSync(out, { recursive: true });
  const file = path.join(out, 'latest.json');
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        generatedAt: new Date().toISOString(),
        durationSeconds: Math.round((Date.now() - started) / 1000),
        human: 'absent: a call that waits for approval times out and is not executed',
        configurations: results.map(({ config, description }) => ({ name: config, description })),
        summaries,
        targets,
        outcomes: Object.fromEntries(results.map(({ config, outcomes }) => [config, outcomes])),
      },
      null,
      2,
    )}\n`,
  );
  console.log(
    `\nwrote ${path.relative(process.cwd(), file)} (${Math.round((Date.now() - started) / 1000)} s)`,
  );
  // A guarded configuration that misses a target fails the command, so CI can gate on it.
  const missed = targets.filter((t) => !t.met && GATED.has(t.config));
  if (missed.length > 0) {
    console.error(`targets missed: ${missed.map((t) => `${t.config}/${t.domain}`).join(', ')}`);
    process.exitCode = 1;
  }
}

await main();
