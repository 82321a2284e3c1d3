import type { Client, WorkflowHandle } from '@temporalio/client';
import { createToolActivities } from '../../../src/activities/guard/index.ts';
import {
  type ActivityDependencies,
  createActivities,
  createActivityDependencies,
} from '../../../src/activities/index.ts';
import type { AgentCatalog } from '../../../src/agents/define-agent.ts';
import type { ApproverIdentity } from '../../../src/approvals/auth/approver-identity.ts';
import { signApproval } from '../../../src/approvals/sign-approval.ts';
import type { DecisionSigner } from '../../../src/approvals/signing-keys.ts';
import { submitApproval } from '../../../src/approvals/submit-approval.ts';
import type { ApprovalSubmission, PendingApproval } from '../../../src/guard/types.ts';
import type { JudgeConfig } from '../../../src/judge/judge-config.ts';
import { DEFAULT_ZONE, toolZones } from '../../../src/tools/define-tool.ts';
import { type RunningWorker, startWorker } from '../../../src/workers/start-worker.ts';
import type { ToolPlanInput, ToolPlanResult } from '../../../src/workflows/tool-plan.ts';
import { ZoneKeyring } from '../../../src/zones/zone-keyring.ts';

export type ToolPlanWorkflow = (input: ToolPlanInput) => Promise<ToolPlanResult>;

import { ringDecisionVerifier } from '../../../src/zones/host-decision-verifier.ts';
import { EXAMPLE_WORKFLOWS, exampleDependencies } from '../../support/example.ts';
import { PRIMARY_KEY } from '../../support/keys.ts';
import { testConfig, testServer, useWorkers, type WorkerFixture } from '../../support/temporal.ts';

export const TEST_SECRET = 'test-approval-secret-0123456789abcdef0123';

export function guardTestConfig(overrides: Record<string, string | undefined> = {}) {
  return testConfig({ WARDEN_APPROVAL_SECRET: TEST_SECRET, WARDEN_MODE: 'development', ...overrides });
}

export interface GuardWorkerOptions {
  /** The workers' agent catalog instead of the example's. */
  agents?: AgentCatalog;
  /** A data directory (usage store, zone keys) to share with other workers. */
  dataDir?: string;
  /** Leave the `external` zone's queue to another poller. */
  external?: boolean;
  /** Environment overrides of the workers' configuration (WARDEN_MODE, keys). */
  env?: Record<string, string>;
  /** The project's judge block (warden.config.ts `judge`). */
  judge?: JudgeConfig;
  /** The main worker's sticky cache size (Warden's default otherwise). */
  maxCachedWorkflows?: number;
  /** The threads the main worker runs workflow code on (Warden's default otherwise). */
  workflowThreads?: number;
}

export interface GuardWorkers {
  deps: ActivityDependencies;
  main: RunningWorker;
  external: RunningWorker | undefined;
  /** Stops the workers; the dependencies (CRM state, PDP) stay for the next workers. */
  stopWorkers(): Promise<void>;
  /** Starts fresh workers on the same queues with the same dependencies. */
  restartWorkers(): Promise<void>;
  close(): Promise<void>;
}

/** The main worker (workflows + guard + default-zone tools) and the `external` trust-zone worker. */
export async function startGuardWorkers(
  taskQueue: string,
  options: GuardWorkerOptions = {},
): Promise<GuardWorkers> {
  const config = guardTestConfig({
    ...options.env,
    ...(options.dataDir ? { WARDEN_DATA_DIR: options.dataDir } : {}),
  });
  const project = await exampleDependencies();
  if (config.WARDEN_MODE === 'production') {
    // Production never makes a zone key itself: the test provisions them, as an operator does.
    const zones = [DEFAULT_ZONE, ...toolZones(project.tools)];
    new ZoneKeyring(ZoneKeyring.fromConfig(config).dir, 'development').publicKeys(zones);
  }
  const deps = await createActivityDependencies(config, {
    ...project,
    ...(options.agents ? { agents: options.agents } : {}),
    ...(options.judge ? { judge: options.judge } : {}),
  });
  const { address, namespace } = testServer();
  const start = async () => ({
    main: await startWorker({
      config,
      address,
      namespace,
      taskQueue,
      activities: createActivities(deps),
      workflowsPath: EXAMPLE_WORKFLOWS,
      ...(options.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: options.maxCachedWorkflows } : {}),
      ...(options.workflowThreads !== undefined ? { workflowThreads: options.workflowThreads } : {}),
    }),
    external:
      options.external === false
        ? undefined
        : await startWorker({
            config,
            address,
            namespace,
            taskQueue: `${taskQueue}-tools-external`,
            activities: createToolActivities(deps, 'external'),
          }),
  });
  const workers: GuardWorkers = {
    deps,
    ...(await start()),
    async stopWorkers() {
      await Promise.all([workers.main.shutdown(), workers.external?.shutdown()]);
    },
    async restartWorkers() {
      Object.assign(workers, await start());
    },
    async close() {
      await workers.stopWorkers();
      await deps.close();
    },
  };
  return workers;
}

export type GuardFixture = WorkerFixture<GuardWorkers>;

/** A client and guard workers on a task queue of their own, for the tests of the calling `describe`. */
export function useGuardWorkers(prefix: string, options: GuardWorkerOptions = {}): GuardFixture {
  return useWorkers(prefix, (taskQueue) => startGuardWorkers(taskQueue, options));
}

let counter = 0;

export async function startPlan(
  client: Client,
  taskQueue: string,
  input: Partial<ToolPlanInput> & Pick<ToolPlanInput, 'calls'>,
): Promise<WorkflowHandle<ToolPlanWorkflow>> {
  counter += 1;
  return client.workflow.start('toolPlanWorkflow', {
    taskQueue,
    workflowId: `guard-test-${taskQueue}-${counter}-${Date.now()}`,
    args: [{ agent: 'support-bot', onBehalfOf: 'alice', purpose: 'resolve alice support tickets', ...input }],
  }) as Promise<WorkflowHandle<ToolPlanWorkflow>>;
}

export { waitForPending } from '../../support/waiting.ts';

export function approver(id: string): ApproverIdentity {
  return { user: { type: 'User', id }, authentication: 'token', tokenLabel: `${id}-test` };
}

/** Decides through the approval service (live policy, recomputed digest, signature), as the CLI does. */
export function decide(
  fixture: { client: Client; workers: Pick<GuardWorkers, 'deps'> },
  handle: WorkflowHandle,
  callId: string,
  who: string,
  decision: 'approve' | 'reject' = 'approve',
  extra: {
    reason?: string;
    signer?: DecisionSigner;
    shown?: PendingApproval;
    ttlMs?: number;
    now?: () => number;
  } = {},
) {
  const { deps } = fixture.workers;
  return submitApproval(fixture.client, {
    workflowId: handle.workflowId,
    callId,
    approver: approver(who),
    decision,
    signer: extra.signer ?? PRIMARY_KEY.signer,
    authorizer: deps.authorizer,
    tools: deps.tools,
    decisions: ringDecisionVerifier(deps.zoneKeys, deps.tools),
    mode: 'development',
    ...(extra.shown ? { shown: extra.shown } : {}),
    ...(extra.reason ? { reason: extra.reason } : {}),
    ...(extra.ttlMs ? { ttlMs: extra.ttlMs } : {}),
    ...(extra.now ? { now: extra.now } : {}),
  });
}

/**
 * A decision on `pending` signed directly with a key, skipping the approval service's checks: what a
 * client of the namespace (with or without a real key) can send as the Update.
 */
export function signedDecision(
  pending: PendingApproval,
  who: string,
  decision: 'approve' | 'reject' = 'approve',
  change: Partial<ApprovalSubmission> = {},
  signer: DecisionSigner = PRIMARY_KEY.signer,
): ApprovalSubmission {
  const issuedAt = Date.now();
  return signApproval(signer, {
    workflowId: pending.workflowId,
    runId: pending.runId,
    callId: pending.callId,
    digest: pending.digest,
    approver: who,
    authentication: 'token',
    decision,
    issuedAt,
    expiresAt: issuedAt + 600_000,
    ...change,
  });
}
