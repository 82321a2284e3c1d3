import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { Command } from 'commander';
import {
  clip,
  clipJson,
  colors,
  formatRun,
  outcomeSummary,
  plain,
  type Style,
} from '../../agents/run-report.ts';
import { type AgentRunHandle, newRunId, startAgentRun } from '../../agents/start-run.ts';
import { SqliteAlertStore } from '../../alerts/alert-store.ts';
import { listPendingApprovals } from '../../approvals/list-pending.ts';
import { issueRequesterAssertion } from '../../approvals/requester-assertion.ts';
import { type DecisionSigner, resolveDecisionSigner } from '../../approvals/signing-keys.ts';
import { ApprovalRefusedError } from '../../approvals/submit-approval.ts';
import type { PendingApproval } from '../../guard/types.ts';
import { loadScenario } from '../../models/scripted/load-scenarios.ts';
import type { Scenario } from '../../models/scripted/scenario.ts';
import type { DemoConfig } from '../../project/define-config.ts';
import { connectClient, createClient } from '../../temporal/connection.ts';
import { wardenDataConverter } from '../../temporal/data-converter.ts';
import type { TemporalEndpoint } from '../../temporal/launcher.ts';
import { isPortFree } from '../../temporal/ports.ts';
import {
  type ApprovalsWeb,
  type StartApprovalsWebOptions,
  startApprovalsWeb,
} from '../../web/start-approvals-web.ts';
import { type ApprovalServicePolicy, TemporalApprovalsBackend } from '../../web/temporal-backend.ts';
import { startWardenWorkers } from '../../workers/warden-workers.ts';
import type { AgentRunResult } from '../../workflows/agent-run.ts';
import { CliError } from '../errors.ts';
import { requireProject } from '../project.ts';
import { openSession, untilInterrupted } from '../session.ts';
import { type DemoApprovers, prepareDemoApprovers } from './demo-approvers.ts';

interface DemoOptions {
  interactive?: boolean;
  keep?: boolean;
  approverToken?: string;
}

interface DemoContext {
  demo: DemoConfig;
  client: Client;
  approvers: DemoApprovers;
  policy: ApprovalServicePolicy;
  /** Signs who each scenario's run acts for: the scenario's user, unauthenticated (development). */
  signer: DecisionSigner;
  endpoint: TemporalEndpoint;
  taskQueue: string;
  interactive: boolean;
  approvalsUrl?: string;
  /** The tool workers' alert store, when the project turns alerting on. */
  alerts?: SqliteAlertStore;
  style: Style;
  out: (line?: string) => void;
}

export function workflowUrl(endpoint: TemporalEndpoint, workflowId: string): string | undefined {
  if (!endpoint.uiUrl) return undefined;
  return `${endpoint.uiUrl}/namespaces/${encodeURIComponent(endpoint.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The run's waiting calls from its memo (a describe: a paused run is not replayed to be watched). */
function waitingCalls(client: Client, handle: AgentRunHandle): Promise<PendingApproval[]> {
  return listPendingApprovals(client, { workflowId: handle.workflowId }).catch(() => []);
}

/** Resolves with the first pending approval, or undefined once the run has finished. */
async function nextPending(
  client: Client,
  handle: AgentRunHandle,
  finished: () => boolean,
): Promise<PendingApproval | undefined> {
  while (!finished()) {
    const [pending] = await waitingCalls(client, handle);
    if (pending) return pending;
    await pause(200);
  }
  return undefined;
}

/** Waits until the run has moved past this call (decided by someone, or finished). */
async function untilDecided(
  client: Client,
  handle: AgentRunHandle,
  callId: string,
  finished: () => boolean,
  everyMs: number,
) {
  while (!finished()) {
    const still = await waitingCalls(client, handle);
    if (!still.some((p) => p.callId === callId)) return;
    await pause(everyMs);
  }
}

/** Approves with an approver token, authenticated and submitted as `warden approve --token` does. */
async function approveAsDemoApprover(ctx: DemoContext, handle: AgentRunHandle, pending: PendingApproval) {
  const identity = ctx.approvers.demoApprover();
  try {
    const backend = new TemporalApprovalsBackend(ctx.client, ctx.approvers.config, ctx.policy);
    const message = await backend.decide(identity, {
      workflowId: handle.workflowId,
      callId: pending.callId,
      approve: true,
      reason: 'demo: refund matches the ticket',
    });
    ctx.out(
      `          ${ctx.style.green('✓')} ${message} ${ctx.style.dim(`[as User:${identity.user.id}, ${identity.authentication}]`)}`,
    );
  } catch (error) {
    if (error instanceof ApprovalRefusedError)
      throw new CliError(`demo approval refused: ${error.message}`, 1);
    throw error;
  }
}

/** What a person types in another terminal to approve this call. */
function approveCommand(ctx: DemoContext, handle: AgentRunHandle, pending: PendingApproval): string {
  const base = `node bin/warden.js approve ${handle.workflowId} ${pending.callId}`;
  const { tokenFile, minted } = ctx.approvers;
  const token = minted.find((m) => m.user === ctx.demo.approver)?.token;
  if (tokenFile && token) return `WARDEN_APPROVER_TOKENS=${tokenFile} ${base} --token ${token}`;
  return `${base} --token <your approver token>   (or set WARDEN_TOKEN)`;
}

async function handleApprovals(ctx: DemoContext, handle: AgentRunHandle, result: Promise<AgentRunResult>) {
  let finished = false;
  const markFinished = () => {
    finished = true;
  };
  void result.then(markFinished, markFinished);
  const isFinished = () => finished;
  for (;;) {
    const pending = await nextPending(ctx.client, handle, isFinished);
    if (!pending) return;
    const { style, out } = ctx;
    out(
      `          ${style.yellow('⏸')} ${style.bold(pending.tool)} waits for approval ${style.dim(clipJson(pending.arguments))}`,
    );
    for (const reason of pending.reasons) out(`            ${style.dim('why:')} ${clip(reason)}`);
    out(
      `            ${style.dim('may approve:')} ${pending.eligibleApprovers.join(', ')} (quorum ${pending.quorum})`,
    );
    if (ctx.interactive) {
      out(`            approve as ${ctx.demo.approver} from another terminal:`);
      out(`              ${approveCommand(ctx, handle, pending)}`);
      if (ctx.approvalsUrl) out(`            or sign in at ${ctx.approvalsUrl} with an approver token`);
      out('            waiting…');
      await untilDecided(ctx.client, handle, pending.callId, isFinished, 500);
    } else {
      await approveAsDemoApprover(ctx, handle, pending);
      await untilDecided(ctx.client, handle, pending.callId, isFinished, 100);
    }
  }
}

async function runScenario(ctx: DemoContext, scenario: Scenario, index: number): Promise<AgentRunResult> {
  const { style, out } = ctx;
  out();
  out(
    style.bold(
      `━━ ${index + 1}/${ctx.demo.scenarios.length}  ${scenario.title} ${'━'.repeat(Math.max(3, 70 - scenario.title.length))}`,
    ),
  );
  out(style.dim(scenario.description.trim()));
  const workflowId = newRunId(scenario.agent);
  const requester = issueRequesterAssertion(
    ctx.signer,
    { user: { type: 'User', id: scenario.onBehalfOf }, authentication: 'unauthenticated-dev' },
    workflowId,
    { request: scenario.input },
  );
  const handle = await startAgentRun(ctx.client, {
    workflowId,
    requester,
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
  // The alerts the tool workers raised on this run's decisions, as `warden alerts` lists them.
  for (const alert of ctx.alerts?.recent({ limit: 20 }) ?? []) {
    if (alert.run.workflowId !== handle.workflowId) continue;
    out(
      `  ${style.yellow('⚠')} ${style.bold(`alert ${alert.rule}`)} (${alert.severity}) ${clip(alert.description)}`,
    );
  }
  const url = workflowUrl(ctx.endpoint, handle.workflowId);
  if (url) out(`  ${style.dim('Temporal Web:')} ${url}`);
  return done;
}

/** The approvals page on its usual port, or on any free one when something (`warden dev`) holds it. */
async function startDemoWeb(
  approvers: DemoApprovers,
  client: Client,
  from: Pick<StartApprovalsWebOptions, 'authorizer' | 'tools'>,
): Promise<ApprovalsWeb> {
  const { config } = approvers;
  const port = (await isPortFree(config.WARDEN_WEB_PORT)) ? config.WARDEN_WEB_PORT : 0;
  return startApprovalsWeb(config, client, { port, ...from });
}

function printSignIn(
  out: (line?: string) => void,
  style: Style,
  web: ApprovalsWeb,
  approvers: DemoApprovers,
) {
  out(`Approvals page: ${web.url}`);
  if (approvers.minted.length === 0) {
    out(style.dim('  sign in with a token from WARDEN_APPROVER_TOKENS'));
    return;
  }
  out(style.dim('  sign in with a token minted for this demo (it stops working when the demo exits):'));
  for (const { user, token } of approvers.minted) out(`    User:${user.padEnd(6)} ${token}`);
}

/** Where the runs live once the demo is gone, and how to look at them again. */
function afterword(endpoint: TemporalEndpoint, dataDir: string, uiPort: number): string {
  switch (endpoint.source) {
    case 'dev-server':
      return `The demo's Temporal server has stopped, so the links above are offline. Runs are kept in ${path.join(path.resolve(dataDir), 'temporal.sqlite')}: run \`npm run dev\` (warden dev) to browse them at http://localhost:${uiPort}.`;
    case 'cluster':
      return `Runs are kept on the Temporal server at ${endpoint.address} (namespace ${endpoint.namespace}); \`warden audit <run>\` prints any of them again.`;
    case 'sdk-download':
      return "The SDK's temporary Temporal server has stopped and its runs with it; install Go or the temporal CLI to keep them.";
  }
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description("run the project's demo: its scripted scenarios in order, every tool call through the guard")
    .option(
      '--interactive',
      "wait for a real approver (CLI or approvals page) instead of approving as the demo's approver",
    )
    .option(
      '--keep',
      'after the runs, keep Temporal, the workers and the approvals page running until Ctrl-C',
    )
    .option(
      '--approver-token <token>',
      'with WARDEN_APPROVER_TOKENS: the token the demo approves with (default: $WARDEN_TOKEN)',
    )
    .action(async (options: DemoOptions) => {
      const started = Date.now();
      const interactive = options.interactive === true;
      const project = await requireProject();
      const demo = project.demo;
      if (demo === undefined || demo.scenarios.length === 0)
        throw new CliError(`${project.configFile} has no demo (demo: { scenarios: [...], approver })`);
      const scenarios = demo.scenarios.map((name) => loadScenario(name, project.scenarioDir));
      const { config: baseConfig, endpoint } = await openSession();
      if (baseConfig.WARDEN_MODE === 'production') {
        await endpoint.stop();
        // Its scenarios act for users who sign in nowhere: production would refuse every tool call.
        throw new CliError(
          'warden demo runs in development mode only (its scenario users have no credentials)',
        );
      }
      const style = process.stdout.isTTY ? colors : plain;
      const out = (line = '') => console.log(line);
      let approvers: DemoApprovers | undefined;
      let connection: Awaited<ReturnType<typeof connectClient>> | undefined;
      let workers: Awaited<ReturnType<typeof startWardenWorkers>> | undefined;
      let web: ApprovalsWeb | undefined;
      let alerts: SqliteAlertStore | undefined;
      try {
        approvers = await prepareDemoApprovers(
          baseConfig,
          {
            interactive,
            approver: demo.approver,
            alsoApprovers: demo.alsoApprovers ?? [],
            ...(options.approverToken ? { approverToken: options.approverToken } : {}),
          },
          process.env,
        );
        const { config } = approvers;
        connection = await connectClient(config, endpoint.address);
        workers = await startWardenWorkers({ config, endpoint, project });
        const client = createClient(connection, endpoint.namespace, await wardenDataConverter(config));
        const policy: ApprovalServicePolicy = { authorizer: workers.authorizer, tools: project.tools };
        if (interactive || options.keep)
          web = await startDemoWeb(approvers, client, {
            authorizer: workers.authorizer,
            tools: project.tools,
          });

        out(style.bold(demo.title ?? 'Warden demo: every tool call is checked before it runs'));
        out(
          `Temporal ${endpoint.address} (${endpoint.source}) · model: ${config.WARDEN_MODEL === 'scripted' ? 'scripted scenarios (offline)' : config.WARDEN_MODEL} · policy: ${config.WARDEN_PDP}`,
        );
        if (web) printSignIn(out, style, web, approvers);
        // The workers created the store when they started; the demo reads it beside them.
        if (project.alerts) alerts = new SqliteAlertStore(SqliteAlertStore.fileIn(config.WARDEN_DATA_DIR));
        const ctx: DemoContext = {
          demo,
          client,
          approvers,
          policy,
          signer: await resolveDecisionSigner(config),
          endpoint,
          taskQueue: workers.taskQueue,
          interactive,
          ...(web ? { approvalsUrl: web.url } : {}),
          ...(alerts ? { alerts } : {}),
          style,
          out,
        };
        const results: AgentRunResult[] = [];
        for (const [index, scenario] of scenarios.entries())
          results.push(await runScenario(ctx, scenario, index));

        out();
        out(style.bold('Summary'));
        for (const [index, result] of results.entries()) {
          const mark = result.status === 'completed' ? style.green('✓') : style.red('✗');
          out(`  ${index + 1}. ${mark} ${scenarios[index]?.title}: ${outcomeSummary(result)}`);
        }
        if (endpoint.uiUrl) out(`  All runs: ${endpoint.uiUrl}/namespaces/${endpoint.namespace}/workflows`);
        out(style.dim(`  finished in ${((Date.now() - started) / 1000).toFixed(1)} s`));

        if (options.keep) {
          out();
          const ui = endpoint.uiUrl ? `Temporal Web ${endpoint.uiUrl}, ` : '';
          out(`Keeping ${ui}the workers and the approvals page ${web?.url ?? ''} running. Ctrl-C to stop.`);
          await untilInterrupted();
          out('stopping…');
        }
        out();
        out(afterword(endpoint, config.WARDEN_DATA_DIR, config.WARDEN_TEMPORAL_UI_PORT));
        if (results.some((r) => r.status !== 'completed'))
          throw new CliError('a demo run did not complete', 1);
      } finally {
        alerts?.close();
        await web?.close();
        await connection?.close();
        await workers?.shutdown();
        await endpoint.stop();
        await approvers?.dispose();
      }
    });
}
