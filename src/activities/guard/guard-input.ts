import { ApplicationFailure } from '@temporalio/activity';
import { z } from 'zod';
import { intentRuleSchema } from '../../guard/intent/rule-schema.ts';
import type {
  AuthorizeCallInput,
  ExecuteToolInput,
  GuardedCallInput,
  IntentInput,
  PrepareApprovalInput,
} from '../../guard/types.ts';
import { refuse } from './refusal.ts';

/**
 * The guard activities' inputs, type-checked: any workflow on the namespace can schedule them, so an
 * input is data to check, not a promise kept by run-guard.ts. A malformed input is refused with a
 * non-retryable `GuardInputError` (retrying the same input cannot help); the steps that may execute
 * (`executeGuardedTool`, `guardedToolCall`) refuse with their own refusal (`invalid_input`), so the
 * workflow reports the call as denied.
 */

const id = z.string().min(1).max(512);
const osoValue = z.object({ type: id, id });
const callId = z.string().min(1).max(128);
const tool = z.string().min(1).max(128);
const count = z.number().int().nonnegative();

const purposeScope = z.object({
  tools: z.array(z.string()).optional(),
  categories: z.array(z.string()).optional(),
  outside: z.enum(['deny', 'escalate']).optional(),
});

const usage = z.object({
  calls: count,
  callsByTool: z.record(z.string(), count),
  recordsRead: count,
  hosts: z.array(z.string()),
});

const call = { callId, tool, arguments: z.unknown(), agent: osoValue, onBehalfOf: osoValue };

const authorizeInput = z.object(call);

const purpose = z.string().max(2000);
const rules = z.array(intentRuleSchema).max(100);

const intentInput = z.object({
  ...call,
  purpose,
  purposeScope: purposeScope.optional(),
  rules,
  usage,
});

const prepareInput = z.object({ ...call, group: z.array(id).optional() });

const grant = z.object({
  workflowId: z.string(),
  runId: z.string(),
  callId: z.string(),
  tool: z.string(),
  agent: osoValue,
  onBehalfOf: osoValue,
  digest: z.string(),
  policyVersion: z.string(),
  verdict: z.enum(['allow', 'escalate']),
  issuedAt: z.number(),
  expiresAt: z.number(),
  mac: z.string(),
});

const authentication = z.enum(['token', 'oidc', 'unauthenticated-dev']);

// The shape only: the execute step verifies each signature with the worker's own keys.
const approval = z.object({
  workflowId: z.string(),
  runId: z.string(),
  callId: z.string(),
  digest: z.string(),
  approver: id,
  authentication,
  decision: z.enum(['approve', 'reject']),
  reason: z.string().optional(),
  issuedAt: z.number(),
  expiresAt: z.number(),
  nonce: z.string(),
  keyId: z.string(),
  signature: z.string(),
});

const requester = z.object({
  workflowId: z.string(),
  user: osoValue,
  authentication,
  issuedAt: z.number(),
  expiresAt: z.number(),
  nonce: z.string(),
  keyId: z.string(),
  requestDigest: z.string().max(128).optional(),
  signature: z.string(),
});

/** What a call that may execute carries besides the call itself: restrictions and its requester. */
const executing = {
  purpose: purpose.optional(),
  purposeScope: purposeScope.optional(),
  rules: rules.optional(),
  requester: requester.optional(),
  request: z.string().max(100_000).optional(),
  compactResult: z.boolean().optional(),
  signOnce: z.boolean().optional(),
  round: z.number().int().min(1).max(1_000).optional(),
};

// The authority may be absent (refused as `no_grant` by the execute step, with its own reason).
const executeInput = z.object({
  ...call,
  ...executing,
  authority: z.object({ grant: grant.optional(), approvals: z.array(approval).max(100) }).optional(),
});

const guardedCallInput = z.object({
  ...call,
  ...executing,
  purpose,
  prepareApproval: z.boolean().optional(),
});

function problems(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`)
    .join('; ');
}

function checked<T>(schema: z.ZodType, input: unknown, activity: string): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw ApplicationFailure.nonRetryable(
      `${activity}: malformed input: ${problems(parsed.error)}`,
      'GuardInputError',
    );
  }
  // The checked input as given (not zod's copy): `arguments` stays byte-for-byte what was digested.
  return input as T;
}

export function checkedAuthorizeInput(input: unknown): AuthorizeCallInput {
  return checked(authorizeInput, input, 'authorizeToolCall');
}

export function checkedIntentInput(input: unknown): IntentInput {
  return checked(intentInput, input, 'checkToolIntent');
}

export function checkedPrepareInput(input: unknown): PrepareApprovalInput {
  return checked(prepareInput, input, 'prepareApproval');
}

/** For the steps that may execute: a malformed input is a refusal, reported as a denied call. */
function refusedUnlessValid<T>(schema: z.ZodType, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) refuse('invalid_input', `malformed input: ${problems(parsed.error)}`);
  return input as T;
}

export function checkedExecuteInput(input: unknown): ExecuteToolInput {
  return refusedUnlessValid(executeInput, input);
}

export function checkedGuardedCallInput(input: unknown): GuardedCallInput {
  return refusedUnlessValid(guardedCallInput, input);
}
