/**
 * `npm run eval`: Warden's own adversarial evaluation. Every task of every domain runs on a real
 * Temporal dev server and real workers under each configuration (no guard, today's guard, and the
 * guard with provenance when the domain has such a project), with the obedient scripted model and no
 * human (a call that waits for a person times out, not executed). Then the approval pass: the
 * benign tasks that say a person should decide a call run again under the guard with provenance,
 * a scripted approver deciding through the approvals page's backend. Prints the table and writes
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
import {
  approvalPassDetails,
  checkTargets,
  details,
  summarizeApprovalPass,
  table,
} from './harness/report.ts';
import { scoreTask, summarize, type TaskOutcome } from './harness/score.ts';
import { ScriptedApprover } from './harness/scripted-approver.ts';
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
/** The same guard with approval windows a scripted approver can answer in (the approval pass). */
const APPROVAL_CONFIG = 'warden.approval.config.ts';

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
  const withApprover = evalDomains.filter((d) => existsSync(path.join(d.projectDir, APPROVAL_CONFIG)));
  const approver = new ScriptedApprover(new Map(withApprover.map((d) => [d.domain.name, d.approvers])));
  const reviewWork = work.filter(
    (w) => withApprover.includes(w.domain) && w.task.kind === 'benign' && w.task.reviewWanted !== undefined,
  );
  let approvalOutcomes: TaskOutcome[] = [];
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
    if (reviewWork.length > 0) {
      const config = await wardenConfiguration({
        name: 'provenance-approved',
        description: 'the guard with provenance, a scripted approver deciding the wanted reviews',
        endpoint,
        domains: withApprover,
        models,
        configFile: APPROVAL_CONFIG,
        attend: approver.attend,
      });
      try {
        const t0 = Date.now();
        approvalOutcomes = await runConfiguration(config, reviewWork);
        console.error(
          `approval pass: ${reviewWork.length} runs in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
        );
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
  const approvalPass = summarizeApprovalPass(approvalOutcomes);
  for (const a of approvalPass) {
    console.log(
      `approval pass provenance/${a.domain}: wanted reviews completed after approval ${a.completedAfterApproval}/${a.wantedReviews}`,
    );
  }
  console.log('');
  for (const { config, outcomes } of results) console.log(details(config, outcomes).join('\n'));
  if (approvalOutcomes.length > 0) {
    console.log(
      'approval pass (guard with provenance; a scripted approver reads each paused call as the approvals page shows it and decides through its backend):',
    );
    console.log(approvalPassDetails(approvalOutcomes, approver.shown).join('\n'));
  }

  const out = path.join(import.meta.dirname, 'results');
  mkdirSync(out, { recursive: true });
  const file = path.join(out, 'latest.json');
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        generatedAt: new Date().toISOString(),
        durationSeconds: Math.round((Date.now() - started) / 1000),
        human:
          'absent in the scored configurations: a call that waits for approval times out and is not executed; present only in the approval pass',
        configurations: results.map(({ config, description }) => ({ name: config, description })),
        summaries,
        targets,
        approvalPass: {
          description:
            'the wanted reviews again under the guard with provenance, a scripted approver deciding through the approvals page backend (signed approval, live policy, quorum)',
          summaries: approvalPass,
          shown: approver.shown,
          outcomes: approvalOutcomes,
        },
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
  const missed = [
    ...targets.filter((t) => !t.met && GATED.has(t.config)).map((t) => `${t.config}/${t.domain}`),
    ...approvalPass
      .filter((a) => a.completedAfterApproval < a.wantedReviews)
      .map((a) => `approval pass/${a.domain}`),
  ];
  if (missed.length > 0) {
    console.error(`targets missed: ${missed.join(', ')}`);
    process.exitCode = 1;
  }
}

await main();
