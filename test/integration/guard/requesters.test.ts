import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { issueRequesterAssertion } from '../../../src/approvals/requester-assertion.ts';
import { fetchDecodedHistory } from '../../../src/audit/load-run.ts';
import type { RequesterAssertion } from '../../../src/guard/types.ts';
import type { AgentRunResult } from '../../../src/workflows/agent/run-types.ts';
import type { ToolPlanInput } from '../../../src/workflows/tool-plan.ts';
import { runWarden } from '../../support/cli-process.ts';
import { PRIMARY_KEY, RETIRED_KEY, TEST_KEY_CONFIG } from '../../support/keys.ts';
import { AUDIENCE, ISSUER, localIssuer } from '../../support/oidc.ts';
import { testServer } from '../../support/temporal.ts';
import { TEST_SECRET, type ToolPlanWorkflow, useGuardWorkers } from './harness.ts';

// As strong as production needs (`openssl rand -hex 32`); production refuses weaker tokens.
const ALICE_RUN_TOKEN = '8e2811e223ee56bb01121ef3b496236a54ee3843f49d7af65291f3a597c51c12';
const CAROL_RUN_TOKEN = '5fd182fd80f3cf8dade58ee6369aa26ccffc8b93bdaac8fbccbb12120820ff09';
const TOKENS = `${ALICE_RUN_TOKEN}=User:alice,${CAROL_RUN_TOKEN}=User:carol`;
const alice = { user: { type: 'User', id: 'alice' }, authentication: 'token' as const };
const carol = { user: { type: 'User', id: 'carol' }, authentication: 'token' as const };

describe('requesters in production: a run acts only for the user who authenticated when it started', () => {
  const fixture = useGuardWorkers('guard-requesters', { env: { WARDEN_MODE: 'production' } });
  const { taskQueue } = fixture;
  let counter = 0;

  /** A tool plan started straight with the Temporal client, as any namespace client can. */
  async function startFor(
    onBehalfOf: string,
    requester: (workflowId: string) => RequesterAssertion | undefined,
    calls: ToolPlanInput['calls'],
  ): Promise<WorkflowHandle<ToolPlanWorkflow>> {
    const workflowId = `requester-${taskQueue}-${++counter}`;
    const assertion = requester(workflowId);
    return fixture.client.workflow.start('toolPlanWorkflow', {
      taskQueue,
      workflowId,
      args: [
        {
          agent: 'support-bot',
          onBehalfOf,
          purpose: 'resolve support tickets',
          calls,
          ...(assertion ? { requester: assertion } : {}),
        },
      ],
    }) as Promise<WorkflowHandle<ToolPlanWorkflow>>;
  }
  const read = [{ tool: 'ticket.get', arguments: { ticketId: 't-501' }, callId: 'read' }];

  it('runs the calls of a run that carries the signed assertion of the user it acts for', async () => {
    const handle = await startFor(
      'alice',
      (id) => issueRequesterAssertion(PRIMARY_KEY.signer, alice, id),
      read,
    );
    expect((await handle.result()).outcomes[0]).toMatchObject({ status: 'executed' });
  });

  it("executes nothing for a run without an assertion, with another user's, another run's, or a forged one", async () => {
    const before = fixture.workers.deps.services.crm.sideEffects;
    const cases: Array<[(id: string) => RequesterAssertion | undefined, RegExp]> = [
      [() => undefined, /carries no signed assertion that User:alice started it/],
      [
        (id) => issueRequesterAssertion(PRIMARY_KEY.signer, carol, id),
        /acts? for User:alice but was started by User:carol/,
      ],
      [
        () => issueRequesterAssertion(PRIMARY_KEY.signer, alice, 'some-earlier-run'),
        /issued for run some-earlier-run/,
      ],
      [(id) => issueRequesterAssertion(RETIRED_KEY.signer, alice, id), /not signed by an accepted key/],
      [
        (id) =>
          issueRequesterAssertion(
            PRIMARY_KEY.signer,
            { ...alice, authentication: 'unauthenticated-dev' },
            id,
          ),
        /not authenticated \(development --as\)/,
      ],
    ];
    for (const [requester, reason] of cases) {
      const { outcomes } = await (await startFor('alice', requester, read)).result();
      expect(outcomes[0]?.status).toBe('denied');
      expect(outcomes[0]?.reason).toMatch(/refused at execution: refused \(bad_requester\)/);
      expect(outcomes[0]?.reason).toMatch(reason);
    }
    expect(fixture.workers.deps.services.crm.sideEffects).toBe(before);
  });

  it('carol, an approver, starting a run "for alice" with her own assertion: refused before anyone is asked, nothing executes', async () => {
    const before = fixture.workers.deps.services.crm.refunds.length;
    const handle = await startFor('alice', (id) => issueRequesterAssertion(PRIMARY_KEY.signer, carol, id), [
      {
        tool: 'crm.issue_refund',
        arguments: { customerId: 'c-1001', amount: 400, currency: 'EUR', reason: 'goodwill' },
        callId: 'refund',
      },
    ]);
    const { outcomes, records } = await handle.result();
    expect(outcomes[0]).toMatchObject({ status: 'denied' });
    expect(outcomes[0]?.reason).toMatch(/bad_requester.*started by User:carol/);
    // The tool worker refused the call before the run asked people: carol never had it to approve.
    expect(records[0]?.approval).toBeUndefined();
    const history = await handle.fetchHistory();
    const activities = (history.events ?? []).map(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name,
    );
    expect(activities.filter(Boolean)).toEqual(['guardedToolCall']);
    expect(fixture.workers.deps.services.crm.refunds.length).toBe(before);
  });

  describe('warden run, as a real process', () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'warden-requesters-'));
    const env = () => {
      const { address, namespace } = testServer();
      const inherited = { ...process.env };
      delete inherited.WARDEN_TOKEN;
      return {
        ...inherited,
        TEMPORAL_ADDRESS: address,
        TEMPORAL_NAMESPACE: namespace,
        WARDEN_TASK_QUEUE: taskQueue,
        WARDEN_MODE: 'production',
        WARDEN_MODEL: 'scripted',
        WARDEN_DATA_DIR: dataDir,
        WARDEN_APPROVAL_SECRET: TEST_SECRET,
        WARDEN_APPROVER_TOKENS: TOKENS,
        ...TEST_KEY_CONFIG,
      };
    };
    const run = async (extraEnv: Record<string, string>, ...args: string[]) =>
      runWarden(
        [
          'run',
          'support-copilot',
          'Please handle ticket t-504 for me.',
          '--scenario',
          'benign-ticket',
          ...args,
        ],
        {
          ...env(),
          ...extraEnv,
        },
      );
    const started = async (stdout: string) => {
      const { workflowId } = JSON.parse(stdout) as { workflowId: string };
      return (await fixture.client.workflow.getHandle(workflowId).result()) as AgentRunResult;
    };

    it('refuses `--as` and a missing credential in production; a token starts the run for its own user', async () => {
      const as = await run({}, '--as', 'alice');
      expect(as.code).toBe(1);
      expect(as.stderr.trim()).toBe(
        'warden: --as is refused in production mode: authenticate with an approver token',
      );
      const none = await run({});
      expect(none.code).toBe(1);
      expect(none.stderr.trim()).toMatch(/^warden: no approver token/);

      // carol's token cannot start a run for alice: the run is carol's.
      const byCarol = await run({}, '--token', CAROL_RUN_TOKEN, '--json');
      expect(byCarol.code, byCarol.stderr).toBe(0);
      const result = await started(byCarol.stdout);
      expect(result.onBehalfOf).toBe('carol');
      // What the run carries in its first event: carol's signed assertion, authenticated by her token.
      const { workflowId } = JSON.parse(byCarol.stdout) as { workflowId: string };
      const history = await fetchDecodedHistory(fixture.client, workflowId);
      const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
      const startInput = (payload ? defaultPayloadConverter.fromPayload(payload) : {}) as {
        requester?: RequesterAssertion;
      };
      expect(startInput.requester).toMatchObject({ workflowId, user: carol.user, authentication: 'token' });
    });

    it('accepts an OIDC token (JWT from a local issuer and JWKS file) and acts for its subject', async () => {
      const issuer = await localIssuer(dataDir);
      const oidc = {
        WARDEN_OIDC_ISSUER: ISSUER,
        WARDEN_OIDC_AUDIENCE: AUDIENCE,
        WARDEN_OIDC_JWKS: issuer.jwksFile,
      };
      const expired = await run(oidc, '--token', await issuer.token('alice', { expiresIn: '-1m' }));
      expect(expired.code).toBe(1);
      expect(expired.stderr.trim()).toBe('warden: OIDC token refused: expired');
      const ok = await run(oidc, '--token', await issuer.token('alice'), '--json');
      expect(ok.code, ok.stderr).toBe(0);
      const result = await started(ok.stdout);
      expect(result.onBehalfOf).toBe('alice');
      expect(result.status).toBe('completed');
      const tools = result.timeline.filter((e) => e.kind === 'tool');
      expect(tools.length).toBeGreaterThan(0);
      expect(tools.every((e) => e.kind === 'tool' && e.outcome.status === 'executed')).toBe(true);
    });
  });
});
