import type { Client } from '@temporalio/client';
import type { Command } from 'commander';
import { colors, formatRun, plain, type Style, tally } from '../../agents/run-report.ts';
import { type AgentRunHandle, startAgentRun } from '../../agents/start-run.ts';
import { ApproverAuthenticator } from '../../approvals/auth/authenticate.ts';
import type { WardenConfig } from '../../config/env.ts';
import type { PendingApproval } from '../../guard/types.ts';
import { loadScenario } from '../../models/scripted/load-scenarios.ts';
import type { Scenario } from '../../models/scripted/scenario.ts';
import { connectClient, createClient } from '../../temporal/connection.ts';
import type { TemporalEndpoint } from '../../temporal/launcher.ts';
import { startApprovalsWeb } from '../../web/start-approvals-web.ts';
import { TemporalApprovalsBackend } from '../../web/temporal-backend.ts';
import { startWardenWorkers } from '../../workers/warden-workers.ts';
import type { AgentRunResult } from '../../workflows/agent-run.ts';
import { pendingApprovalsQuery } from '../../workflows/guard/definitions.ts';
import { CliError } from '../errors.ts';
import { openSession } from '../session.ts';

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** The four stories the demo tells, in order. */
export const DEMO_SCENARIOS = ['benign-ticket', 'refund-under-limit', 'refund-over-limit', 'injected-export'];
const DEMO_APPROVER = 'bob';

interface DemoContext {
  client: Client;
  config: WardenConfig;
  endpoint: TemporalEndpoint;
  taskQueue: string;
  interactive: boolean;
  approvalsUrl?: string;
  style: Style;
  out: (line?: string) => void;
}

export function workflowUrl(endpoint: TemporalEndpoint, workflowId: string): string | undefined {
  if (!endpoint.uiUrl) return undefined;
  return `${endpoint.uiUrl}/namespaces/${encodeURIComponent(endpoint.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

/** Resolves with the first pending approval, or undefined once the run has finished. */
async function nextPending(
  handle: AgentRunHandle,
  finished: () => boolean,
): Promise<PendingApproval | undefined> {
  while (!finished()) {
    const [pending] = await handle.query(pendingApprovalsQuery).catch(() => []);
    if (pending) return pending;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return undefined;
}

/** Approves as the demo approver through the same path `warden approve` and the web page use. */
async function approveAsDemoApprover(ctx: DemoContext, handle: AgentRunHandle, pending: PendingApproval) {
  const identity = ApproverAuthenticator.fromConfig(ctx.config).authenticate(
    ctx.config.WARDEN_MODE === 'production'
      ? { token: process.env.WARDEN_TOKEN }
      : { as: `User:${DEMO_APPROVER}` },
  );
  const message = await new TemporalApprovalsBackend(ctx.client, ctx.config).decide(identity, {
    workflowId: handle.workflowId,
    callId: pending.callId,
    approve: true,
    reason: 'demo: refund matches the ticket',
  });
  ctx.out(
    `          ${ctx.style.green('✓')} ${message} ${ctx.style.dim(`[as User:${identity.user.id}, ${identity.authentication}]`)}`,
  );
}

async function handleApprovals(ctx: DemoContext, handle: AgentRunHandle, result: Promise<AgentRunResult>) {
  let finished = false;
  void result.then(
    () => {
      finished = true;
    },
    () => {
      finished = true;
    },
  );
  for (;;) {
    const pending = await nextPending(handle, () => finished);
    if (!pending) return;
    const { style } = ctx;
    ctx.out(
      `          ${style.yellow('⏸')} ${style.bold(pending.tool)} waits for approval ${style.dim(JSON.stringify(pending.arguments))}`,
    );
    for (const reason of pending.reasons) ctx.out(`            ${style.dim('why:')} ${clip(reason, 150)}`);
    ctx.out(
      `            ${style.dim('may approve:')} ${pending.eligibleApprovers.join(', ')} (quorum ${pending.quorum})`,
    );
    if (ctx.interactive) {
      ctx.out(`            approve from another terminal:`);
      ctx.out(
        `              node bin/warden.js approve ${handle.workflowId} ${pending.callId} --as ${DEMO_APPROVER}`,
      );
      if (ctx.approvalsUrl) ctx.out(`            or sign in at ${ctx.approvalsUrl} with an approver token`);
      ctx.out(`            waiting…`);
      while (!finished) {
        const still = await handle.query(pendingApprovalsQuery).catch(() => []);
        if (!still.some((p) => p.callId === pending.callId)) break;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    } else {
      await approveAsDemoApprover(ctx, handle, pending);
      // Let the run move past this call before looking for the next one.
      while (!finished) {
        const still = await handle.query(pendingApprovalsQuery).catch(() => []);
        if (!still.some((p) => p.callId === pending.callId)) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }
}

async function runScenario(ctx: DemoContext, scenario: Scenario, index: number): Promise<AgentRunResult> {
  const { style, out } = ctx;
  out();
  out(
    style.bold(
      `━━ ${index + 1}/${DEMO_SCENARIOS.length}  ${scenario.title} ${'━'.repeat(Math.max(3, 70 - scenario.title.length))}`,
    ),
  );
  out(style.dim(scenario.description.trim()));
  const handle = await startAgentRun(ctx.client, {
    agent: scenario.agent,
    onBehalfOf: scenario.onBehalfOf,
    input: scenario.input,
    scenario: scenario.name,
    taskQueue: ctx.taskQueue,
  });
  out(
    `${style.dim('run')} ${handle.workflowId} · ${scenario.agent} for User:${scenario.onBehalfOf} · “${scenario.input}”`,
  );
  const result = handle.result();
  await handleApprovals(ctx, handle, result);
  const done = await result;
  for (const line of formatRun(done, style)) out(`  ${line}`);
  const url = workflowUrl(ctx.endpoint, handle.workflowId);
  if (url) out(`  ${style.dim('Temporal Web:')} ${url}`);
  return done;
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run the support-copilot demo: four agent runs, every tool call through the guard')
    .option('--interactive', 'wait for a real approver instead of approving the over-limit refund as bob')
    .action(async (options: { interactive?: boolean }) => {
      const started = Date.now();
      const scenarios = DEMO_SCENARIOS.map((name) => loadScenario(name));
      const { config, endpoint } = await openSession();
      const style = process.stdout.isTTY ? colors : plain;
      const out = (line = '') => console.log(line);
      let workers: Awaited<ReturnType<typeof startWardenWorkers>> | undefined;
      let web: Awaited<ReturnType<typeof startApprovalsWeb>> | undefined;
      const connection = await connectClient(config, endpoint.address);
      try {
        workers = await startWardenWorkers(config, endpoint);
        const client = createClient(connection, endpoint.namespace);
        if (options.interactive && config.WARDEN_APPROVER_TOKENS)
          web = await startApprovalsWeb(config, client);
        out(style.bold('Warden demo: a support copilot whose every tool call is checked before it runs'));
        out(
          `Temporal ${endpoint.address} (${endpoint.source}) · model: ${config.WARDEN_MODEL === 'scripted' ? 'scripted scenarios (offline)' : config.WARDEN_MODEL} · policy: ${config.WARDEN_PDP}`,
        );
        const ctx: DemoContext = {
          client,
          config,
          endpoint,
          taskQueue: workers.taskQueue,
          interactive: options.interactive === true,
          ...(web ? { approvalsUrl: web.url } : {}),
          style,
          out,
        };
        const results: AgentRunResult[] = [];
        for (const [index, scenario] of scenarios.entries())
          results.push(await runScenario(ctx, scenario, index));

        out();
        out(style.bold('Summary'));
        for (const [index, result] of results.entries()) {
          const t = tally(result);
          const approved = t.approved > 0 ? `, ${t.approved} approved by a person` : '';
          out(
            `  ${index + 1}. ${scenarios[index]?.title}: ${result.status}; ${t.executed} calls executed, ${t.refused} refused${approved}`,
          );
        }
        if (endpoint.uiUrl) out(`  All runs: ${endpoint.uiUrl}/namespaces/${endpoint.namespace}/workflows`);
        out(style.dim(`  finished in ${((Date.now() - started) / 1000).toFixed(1)} s`));
        if (results.some((r) => r.status !== 'completed'))
          throw new CliError('a demo run did not complete', 1);
      } finally {
        await web?.close();
        await connection.close();
        await workers?.shutdown();
        await endpoint.stop();
      }
    });
}
