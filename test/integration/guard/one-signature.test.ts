import { beforeAll, describe, expect, it } from 'vitest';
import { agents as exampleAgents } from '../../../examples/support-copilot/agents.ts';
import { demoTools } from '../../../examples/support-copilot/tools/index.ts';
import { agentCatalog, defineAgent } from '../../../src/agents/define-agent.ts';
import { loadRun } from '../../../src/audit/load-run.ts';
import { buildTimeline } from '../../../src/audit/timeline.ts';
import type { Fact } from '../../../src/authz/types.ts';
import type { GuardedCallResult } from '../../../src/guard/types.ts';
import { ringDecisionVerifier } from '../../../src/zones/host-decision-verifier.ts';
import { useExternalZonePoller } from './fixtures/zone-poller.ts';
import { startPlan, useGuardWorkers } from './harness.ts';

const notifier = defineAgent({
  name: 'partner-notifier',
  identity: 'notify-bot',
  purpose: 'Tell the partner API about resolved tickets, nothing else.',
  purposeScope: { categories: ['http'] },
  instructions: 'Post ticket updates to the partner API.',
  tools: [demoTools.get('http.post')!],
});
const agents = agentCatalog([...exampleAgents.values(), notifier]);
/** The notifier may post for alice unattended: the zone's worker decides and executes at once. */
const unattended: Fact[] = [
  ['has_role', { type: 'Agent', id: 'notify-bot' }, 'unattended_user', { type: 'Toolset', id: 'external' }],
  ['has_role', { type: 'User', id: 'alice' }, 'unattended_user', { type: 'Toolset', id: 'external' }],
];
const PARTNER = 'https://api.acme.example/tickets';
const notDecided =
  /^decision refused: the decision's signature does not verify with the key of trust zone external$/;

describe('an unattended call is decided, executed and signed once by the zone worker', () => {
  // Only the test's poller serves the external zone's queue: the real worker's activities, or an attacker.
  const fixture = useGuardWorkers('guard-one-signature', { agents, external: false });
  const zone = useExternalZonePoller(fixture, unattended);
  let verifier: ReturnType<typeof ringDecisionVerifier>;

  beforeAll(() => {
    verifier = ringDecisionVerifier(fixture.workers.deps.zoneKeys, fixture.workers.deps.tools);
  });

  const post = (callId: string, body: unknown = { ticket: 't-501' }) => ({
    tool: 'http.post',
    callId,
    arguments: { url: PARTNER, body },
  });
  const notify = (calls: ReturnType<typeof post>[]) =>
    startPlan(fixture.client, fixture.taskQueue, { agent: 'notify-bot', calls });
  const sent = () => fixture.workers.deps.services.egress.sent.length;

  it('the honest path: one signature over decision and result, verified by the run and the audit', async () => {
    zone.answer = (input, real) => real(input);
    const before = sent();
    const handle = await notify([post('notify')]);
    const { outcomes } = await handle.result();
    expect(outcomes[0]).toMatchObject({ status: 'executed', reason: 'executed (unattended)' });
    expect(outcomes[0]?.output).toBeDefined();
    expect(sent()).toBe(before + 1);

    const run = await loadRun(fixture.client, handle.workflowId);
    const steps = run.steps.filter((s) => s.kind === 'activity' && s.activityType !== 'zonePublicKeys');
    const guarded = steps.filter((s) => s.kind === 'activity' && s.activityType === 'guardedToolCall');
    expect(guarded).toHaveLength(1);
    const [step] = guarded;
    if (step?.kind !== 'activity') throw new Error('the call is one guarded activity');
    expect(step.input[0]).toMatchObject({ callId: 'notify', signOnce: true });
    const result = step.result as GuardedCallResult;
    expect(result).toMatchObject({ decision: 'executed', decisionSignature: expect.any(Object) });
    // The result carries no signature of its own: the decision's covers it.
    expect(result.decision === 'executed' && result.execution.signature).toBeUndefined();
    // The audit checks the one signature against the recorded result: verified, nothing unverified.
    const timeline = buildTimeline(run, undefined, { decisions: verifier });
    expect(timeline.filter((e) => e.kind === 'unverified_decision')).toEqual([]);
    expect(timeline).toContainEqual(
      expect.objectContaining({ kind: 'tool_outcome', callId: 'notify', status: 'executed' }),
    );
  });

  it("the real worker's signed answer with its output rewritten is refused: the model never sees it", async () => {
    zone.answer = async (input, real) => {
      const genuine = await real(input);
      if (genuine.decision !== 'executed') throw new Error(`expected executed, got ${genuine.decision}`);
      return { ...genuine, execution: { ...genuine.execution, output: { status: 200, approved: 'all' } } };
    };
    const handle = await notify([post('notify')]);
    const { outcomes, records } = await handle.result();
    expect(outcomes[0]).toMatchObject({ callId: 'notify', status: 'failed' });
    expect(outcomes[0]?.reason).toMatch(notDecided);
    expect(outcomes[0]?.output).toBeUndefined();
    expect(records[0]).toMatchObject({ outcome: 'failed', reason: outcomes[0]?.reason });
    expect(JSON.stringify(records)).not.toContain('approved');
    const timeline = buildTimeline(await loadRun(fixture.client, handle.workflowId), undefined, {
      decisions: verifier,
    });
    expect(timeline).toContainEqual(
      expect.objectContaining({ kind: 'unverified_decision', callId: 'notify' }),
    );
  });

  it("a genuine executed answer replayed for the run's next call, or another run's, is refused", async () => {
    const captured: GuardedCallResult[] = [];
    zone.answer = async (input, real) => {
      const first = captured[0];
      if (first !== undefined) return first;
      const genuine = await real(input);
      captured.push(genuine);
      return genuine;
    };
    // The same arguments for both calls: only the call id tells the replay from the real answer.
    const handle = await notify([post('first'), post('second')]);
    const { outcomes } = await handle.result();
    expect(outcomes[0]).toMatchObject({ callId: 'first', status: 'executed' });
    expect(outcomes[1]).toMatchObject({ callId: 'second', status: 'failed' });
    expect(outcomes[1]?.reason).toMatch(notDecided);
    expect(outcomes[1]?.output).toBeUndefined();

    const again = await notify([post('first')]);
    const { outcomes: replayed } = await again.result();
    expect(replayed[0]).toMatchObject({ callId: 'first', status: 'failed' });
    expect(replayed[0]?.reason).toMatch(notDecided);
    expect(replayed[0]?.output).toBeUndefined();
  });

  it('a genuine two-signature answer for the same call is refused where the run asked for one', async () => {
    // The zone's real worker, asked without signOnce: its decision and result each verify alone.
    zone.answer = async (input, real) => {
      const { signOnce: _asked, ...plain } = input;
      const genuine = await real(plain);
      // Anything else fails the call as a tool failure, which the reason below would not match.
      if (genuine.decision !== 'executed' || genuine.execution.signature === undefined)
        throw new Error('expected an executed call with its own result signature');
      return genuine;
    };
    const handle = await notify([post('notify')]);
    const { outcomes } = await handle.result();
    expect(outcomes[0]).toMatchObject({ callId: 'notify', status: 'failed' });
    expect(outcomes[0]?.reason).toMatch(notDecided);
    expect(outcomes[0]?.output).toBeUndefined();
  });
});
