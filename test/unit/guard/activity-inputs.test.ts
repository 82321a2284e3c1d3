import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agents } from '../../../examples/support-copilot/agents.ts';
import { CrmService } from '../../../examples/support-copilot/services/crm-service.ts';
import { Egress } from '../../../examples/support-copilot/services/egress.ts';
import { demoTools } from '../../../examples/support-copilot/tools/index.ts';
import type { GuardDependencies } from '../../../src/activities/guard/dependencies.ts';
import { createGuardActivities, createToolActivities } from '../../../src/activities/guard/index.ts';
import { parsePublicKeys } from '../../../src/approvals/signing-keys.ts';
import { createAuthorizer } from '../../../src/authz/create-authorizer.ts';
import { loadConfig } from '../../../src/config/env.ts';
import { GUARD_REFUSAL } from '../../../src/guard/types.ts';
import { ProvenanceIndex } from '../../../src/provenance/provenance-index.ts';
import { SqliteUsageStore } from '../../../src/usage/sqlite-usage-store.ts';
import { ZoneKeyring } from '../../../src/zones/zone-keyring.ts';
import { EXAMPLE_POLICY_DIR } from '../../support/example.ts';
import { TEST_KEY_CONFIG } from '../../support/keys.ts';
import { quietActivityEnvironment } from './quiet-activity-environment.ts';

const agent = { type: 'Agent', id: 'support-bot' };
const onBehalfOf = { type: 'User', id: 'alice' };
const call = { callId: 'c1', tool: 'ticket.get', arguments: { ticketId: 't-501' }, agent, onBehalfOf };
const usage = { calls: 0, callsByTool: {}, recordsRead: 0, hosts: [] };

/** A hostile workflow schedules the guard activities itself, with inputs of its own making. */
describe('guard activities refuse malformed inputs, non-retryably, before using them', () => {
  let deps: GuardDependencies;
  let activities: ReturnType<typeof createGuardActivities> & ReturnType<typeof createToolActivities>;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'warden-activity-inputs-'));

  beforeAll(async () => {
    deps = {
      authorizer: await createAuthorizer(loadConfig({ ...process.env }, { policyDir: EXAMPLE_POLICY_DIR })),
      tools: demoTools,
      services: { crm: new CrmService(), egress: new Egress() },
      agents,
      approvalSecret: 'unit-test-approval-secret-0123456789abcdef',
      usage: SqliteUsageStore.inDataDir(dataDir),
      provenance: ProvenanceIndex.inDataDir(dataDir, 'unit-test-approval-secret-0123456789abcdef'),
      zoneKeys: new ZoneKeyring(path.join(dataDir, 'zone-keys'), 'development'),
      mode: 'production',
      approvalKeys: parsePublicKeys(TEST_KEY_CONFIG.WARDEN_APPROVAL_PUBLIC_KEYS),
    };
    activities = { ...createGuardActivities(deps, ['default']), ...createToolActivities(deps, 'default') };
  });
  afterAll(async () => {
    deps?.usage.close();
    deps?.provenance.close();
    await deps?.authorizer.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function failure(
    fn: (input: never) => Promise<unknown>,
    input: unknown,
  ): Promise<ApplicationFailure> {
    try {
      await quietActivityEnvironment().run(fn, input as never);
    } catch (error) {
      expect(error).toBeInstanceOf(ApplicationFailure);
      return error as ApplicationFailure;
    }
    throw new Error('the activity accepted the input');
  }

  const malformed: Array<[string, Record<string, unknown>]> = [
    ['tool is an array', { tool: ['ticket.get'] }],
    ['tool is an object with toString', { tool: { toString: 'x' } }],
    ['callId is a number', { callId: 7 }],
    ['agent is a string', { agent: 'Agent:support-bot' }],
    ['onBehalfOf has an object id', { onBehalfOf: { type: 'User', id: { toString: 'alice' } } }],
  ];

  it.each(malformed)('authorizeToolCall, prepareApproval: %s → GuardInputError', async (_name, change) => {
    for (const fn of [activities.authorizeToolCall, activities.prepareApproval]) {
      const error = await failure(fn, { ...call, ...change });
      expect(error).toMatchObject({ type: 'GuardInputError', nonRetryable: true });
      expect(error.message).toMatch(/malformed input/);
    }
  });

  it.each([
    ...malformed,
    ['rules is not an array', { rules: { kind: 'max_amount' } }],
    ['a rule of an unknown kind', { rules: [{ kind: 'allow_everything' }] }],
    ['a rule with a numeric argument path', { rules: [{ kind: 'max_amount', argument: 5, max: 1 }] }],
    ['usage with a string count', { usage: { ...usage, calls: '0' } }],
    ['purposeScope tools as a string', { purposeScope: { tools: 'ticket.get' } }],
  ] as Array<[string, Record<string, unknown>]>)(
    'checkToolIntent: %s → GuardInputError, no grant',
    async (_n, change) => {
      const input = { ...call, purpose: 'p', rules: [], usage, ...change };
      const error = await failure(activities.checkToolIntent, input);
      expect(error).toMatchObject({ type: 'GuardInputError', nonRetryable: true });
    },
  );

  it('executeGuardedTool: a malformed input is a refusal (invalid_input) and nothing runs', async () => {
    const before = deps.services.crm.sideEffects;
    for (const change of [
      ...malformed.map(([, c]) => c),
      { authority: { grant: { mac: 5 }, approvals: [] } },
      { authority: { grant: undefined, approvals: 'all' } },
    ]) {
      const error = await failure(activities.executeGuardedTool, {
        ...call,
        authority: undefined,
        ...change,
      });
      expect(error).toMatchObject({ type: GUARD_REFUSAL, nonRetryable: true });
      expect(error.message).toMatch(/refused \(invalid_input\)/);
    }
    expect(deps.services.crm.sideEffects).toBe(before);
  });

  it('executeGuardedTool: approvals or a requester of the wrong shape are refused (invalid_input)', async () => {
    const before = deps.services.crm.sideEffects;
    for (const change of [
      { authority: { approvals: [{ decision: 'approve', approver: 'bob', attestation: 'f'.repeat(64) }] } },
      { authority: { approvals: [{ decision: 'approve', approver: { id: 'bob' } }] } },
      { requester: { workflowId: 'test', user: 'User:alice', signature: 'x' } },
      { requester: 'alice' },
      { purpose: ['p'] },
      { rules: [{ kind: 'allow_everything' }] },
    ]) {
      const error = await failure(activities.executeGuardedTool, { ...call, ...change });
      expect(error).toMatchObject({ type: GUARD_REFUSAL, nonRetryable: true });
      expect(error.message).toMatch(/refused \(invalid_input\)/);
    }
    expect(deps.services.crm.sideEffects).toBe(before);
  });

  it.each([
    ...malformed,
    ['purpose is missing', { purpose: undefined }],
    ['purpose is an object', { purpose: { toString: 'p' } }],
    ['a rule of an unknown kind', { rules: [{ kind: 'allow_everything' }] }],
    ['purposeScope tools as a string', { purposeScope: { tools: 'ticket.get' } }],
    ['a requester without a signature', { requester: { workflowId: 'test', user: onBehalfOf } }],
  ] as Array<[string, Record<string, unknown>]>)(
    'guardedToolCall: %s → a refusal (invalid_input), nothing decided or run',
    async (_n, change) => {
      const before = deps.services.crm.sideEffects;
      const error = await failure(activities.guardedToolCall, { ...call, purpose: 'p', ...change });
      expect(error).toMatchObject({ type: GUARD_REFUSAL, nonRetryable: true });
      expect(error.message).toMatch(/refused \(invalid_input\)/);
      expect(deps.services.crm.sideEffects).toBe(before);
    },
  );
});
