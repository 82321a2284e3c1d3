import { z } from 'zod';
import { HANDOFF_ACTION } from '../activities/agent/authorize-handoff.ts';
import { formatValue } from '../authz/values.ts';
import type { DecisionRecord } from '../guard/types.ts';
import { explainProvenance, whyPerson } from '../provenance/explain.ts';
import type { CallProvenance } from '../provenance/types.ts';
import {
  type DecisionVerifier,
  recordedDecision,
  recordedFailure,
  UNSIGNED_FAILURE_REASON,
} from './recorded-decisions.ts';
import type { ActivityStep, RunHistory, UpdateStep } from './run-history.ts';

/** One line of a run's audit timeline. Plain JSON; the SIEM export flattens these. */
export type TimelineEntry =
  | { at: string; kind: 'run_started'; workflowType: string; agent?: string; user?: string }
  | {
      at: string;
      kind: 'model_turn';
      turn: number;
      toolCalls: Array<{ callId: string; tool: string }>;
      text?: string;
    }
  | {
      at: string;
      kind: 'authz_decision';
      callId?: string;
      tool: string;
      /** Set on a record check: the record the call touches (`Customer:c-1001`); else the tool is the resource. */
      resource?: string;
      action: string;
      allowed: boolean;
      actor: string;
      onBehalfOf?: string;
      reason: string;
      policyVersion: string;
      factsVersion: string;
      engine: string;
    }
  | {
      at: string;
      /** May `from` hand the user's conversation to `to`? Decided by the PDP like a tool call. */
      kind: 'handoff_decision';
      from: string;
      to: string;
      onBehalfOf?: string;
      allowed: boolean;
      reason: string;
      policyVersion: string;
      factsVersion: string;
      engine: string;
    }
  | { at: string; kind: 'intent_verdict'; callId: string; tool: string; verdict: string; reasons: string[] }
  | { at: string; kind: 'validation_error'; callId: string; tool: string; errors: string[] }
  | {
      at: string;
      kind: 'approval_requested';
      callId: string;
      tool: string;
      eligibleApprovers: string[];
      digest: string;
      policyVersion: string;
    }
  | {
      at: string;
      kind: 'approval';
      callId: string;
      approver: string;
      decision: string;
      reason?: string;
      /** `accepted` = the workflow took it; `refused` = its handler failed it (e.g. not an eligible approver). */
      result: 'accepted' | 'refused';
      detail: string;
    }
  | {
      at: string;
      kind: 'provenance';
      callId: string;
      tool: string;
      verdict: CallProvenance['verdict'];
      request: CallProvenance['request'];
      /** Why the call needed a person, in words (empty when nothing was found). */
      why: string[];
      /** Where each traced argument value came from, in words. */
      values: string[];
      /** Each traced value in short, for machines: argument → origin, trust, verdict. */
      short: ProvenanceShort[];
      /**
       * `verified`: read from the tool worker's decision in the history, its zone signature checked;
       * `unchecked`: read from the run's own decision record, with no key to check it.
       */
      decisionSignature: 'verified' | 'unchecked';
    }
  | {
      at: string;
      /** A guarded call's recorded decision that its zone's key did not sign: none of its words are kept. */
      kind: 'unverified_decision';
      callId: string;
      tool: string;
      problem: string;
    }
  | {
      at: string;
      kind: 'tool_outcome';
      callId: string;
      tool: string;
      status: string;
      reason: string;
      output?: string;
      /**
       * Set on a failure read with the zones' keys: `verified` when the zone's worker signed its
       * words for this call (they are shown), `unverified` when not (none of them are).
       */
      failureSignature?: 'verified' | 'unverified';
    }
  | {
      at: string;
      /** The execute step's re-check refused an earlier decision of the call; the guard decided again. */
      kind: 'redecision';
      callId: string;
      tool: string;
      reason: string;
      previousPolicyVersion: string;
      previousOutcome: string;
      previousApprovers?: string[];
    }
  | { at: string; kind: 'activity'; activityType: string; outcome: string; detail?: string }
  | { at: string; kind: 'run_closed'; status: string; detail?: string };

export type TimelineKind = TimelineEntry['kind'];

/** One traced argument value in short: where it came from, how trusted, and what it did to the call. */
export interface ProvenanceShort {
  /** The argument path, with the token kind when the value is a token inside it (`body (url)`). */
  argument: string;
  /** `request`, `instructions`, `<tool>#<call id>.<field>` (comma-separated), or `none`. */
  origin: string;
  trust: 'trusted' | 'untrusted' | 'unknown';
  verdict: 'tainted' | 'confidential' | 'clear';
}

/** Options of `buildTimeline`. */
export interface TimelineOptions {
  /**
   * Checks each guarded call's recorded decision with the zones' keys: an unverified one becomes an
   * `unverified_decision` entry, and provenance is taken from verified decisions only.
   */
  decisions?: DecisionVerifier;
}

const osoValue = z.object({ type: z.string(), id: z.string() });
const authzDecision = z.object({
  allowed: z.boolean(),
  action: z.string(),
  actor: osoValue,
  onBehalfOf: osoValue.optional(),
  resource: osoValue,
  reason: z.string(),
  policyVersion: z.string(),
  factsVersion: z.string().default(''),
  engine: z.string().default(''),
});
const recordCheck = z.object({ user: authzDecision, agent: authzDecision });
const authorizeResult = z.object({
  invoke: authzDecision,
  unattended: authzDecision.optional(),
  records: z.array(recordCheck).optional(),
});
const handoffInput = z.object({ from: osoValue, to: osoValue, onBehalfOf: osoValue.optional() });
const handoffDecision = authzDecision.extend({ action: z.literal(HANDOFF_ACTION) });
const intentResult = z.object({
  verdict: z.object({ verdict: z.string(), reasons: z.array(z.string()) }),
  digest: z.string(),
  policyVersion: z.string(),
});
const callInput = z.object({ callId: z.string(), tool: z.string() });
/** The one-activity guarded call: its decisions, and the execution when the call ran unattended. */
const guardedCallResult = z.object({
  decision: z.enum(['executed', 'needs_approval', 'denied']),
  authorization: authorizeResult,
  intent: intentResult.optional(),
  execution: z.object({ output: z.unknown() }).optional(),
  reason: z.string(),
});
const preparedApproval = z.object({
  digest: z.string(),
  policyVersion: z.string(),
  eligibleApprovers: z.array(z.string()),
});
const executeResult = z.object({ output: z.unknown(), attempt: z.number().optional() });
const modelInvocation = z.object({ agent: z.string(), turn: z.number() });
const modelResponse = z.object({ output: z.array(z.looseObject({ type: z.string() })) });
const approvalSubmission = z.object({
  callId: z.string(),
  approver: z.string(),
  decision: z.string(),
  reason: z.string().optional(),
});

/** Compact one-line JSON for terminals and SIEM fields. */
export function brief(value: unknown, max = 160): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Keyword search attributes decode as a string or (untyped upserts) a one-element list. */
export function keyword(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  return undefined;
}

/**
 * Models see `crm__issue_refund` for `crm.issue_refund`; the audit speaks in tool names, which the
 * guard steps of the same call id name.
 */
function toolsByCallId(run: RunHistory, records: DecisionRecord[]): Map<string, string> {
  const tools = new Map<string, string>();
  for (const record of records) tools.set(record.callId, record.tool);
  for (const step of run.steps) {
    if (step.kind !== 'activity') continue;
    const input = step.input[0] as { callId?: unknown; tool?: unknown } | undefined;
    if (typeof input?.callId === 'string' && typeof input.tool === 'string' && !tools.has(input.callId))
      tools.set(input.callId, input.tool);
  }
  return tools;
}

function modelTurn(step: ActivityStep, toolOfCall: Map<string, string>): TimelineEntry | undefined {
  const invocation = modelInvocation.safeParse(step.input[0]);
  if (!invocation.success) return undefined;
  const response = modelResponse.safeParse(step.result);
  const toolCalls: Array<{ callId: string; tool: string }> = [];
  const texts: string[] = [];
  for (const item of response.success ? response.data.output : []) {
    if (item.type === 'function_call') {
      const callId = String(item.callId ?? '');
      toolCalls.push({ callId, tool: toolOfCall.get(callId) ?? String(item.name ?? '') });
    }
    if (item.type === 'message' && Array.isArray(item.content)) {
      for (const part of item.content as Array<{ text?: unknown }>)
        if (typeof part.text === 'string') texts.push(part.text);
    }
  }
  const entry: TimelineEntry = {
    at: step.closedAt ?? step.scheduledAt,
    kind: 'model_turn',
    turn: invocation.data.turn,
    toolCalls,
  };
  if (texts.length) entry.text = brief(texts.join(' '), 400);
  return entry;
}

function authzEntries(step: ActivityStep, recorded: unknown = step.result): TimelineEntry[] | undefined {
  const result = authorizeResult.safeParse(recorded);
  if (!result.success) return undefined;
  const input = step.input[0] as { tool?: unknown; callId?: unknown } | undefined;
  const tool = String(input?.tool ?? result.data.invoke.resource.id);
  const callId = typeof input?.callId === 'string' ? input.callId : undefined;
  const onRecords = (result.data.records ?? []).flatMap((r) => [r.user, r.agent]);
  return [result.data.invoke, result.data.unattended, ...onRecords].flatMap((d, i) =>
    d
      ? [
          {
            at: step.closedAt ?? step.scheduledAt,
            kind: 'authz_decision' as const,
            ...(callId !== undefined ? { callId } : {}),
            tool,
            ...(i >= 2 ? { resource: formatValue(d.resource) } : {}),
            action: d.action,
            allowed: d.allowed,
            actor: formatValue(d.actor),
            ...(d.onBehalfOf ? { onBehalfOf: formatValue(d.onBehalfOf) } : {}),
            reason: d.reason,
            policyVersion: d.policyVersion,
            factsVersion: d.factsVersion,
            engine: d.engine,
          },
        ]
      : [],
  );
}

/** A handoff authorization: input `{from, to, onBehalfOf}`, result the PDP's decision on `handoff`. */
function handoffEntry(step: ActivityStep): TimelineEntry | undefined {
  const input = handoffInput.safeParse(step.input[0]);
  const decision = handoffDecision.safeParse(step.result);
  if (!input.success || !decision.success) return undefined;
  const d = decision.data;
  const onBehalfOf = d.onBehalfOf ?? input.data.onBehalfOf;
  return {
    at: step.closedAt ?? step.scheduledAt,
    kind: 'handoff_decision',
    from: formatValue(d.actor),
    to: formatValue(d.resource),
    ...(onBehalfOf ? { onBehalfOf: formatValue(onBehalfOf) } : {}),
    allowed: d.allowed,
    reason: d.reason,
    policyVersion: d.policyVersion,
    factsVersion: d.factsVersion,
    engine: d.engine,
  };
}

/** A guarded call decided (and maybe executed) in one activity: each decision as its own entry. */
function guardedCallEntries(step: ActivityStep): TimelineEntry[] | undefined {
  const result = guardedCallResult.safeParse(step.result);
  const input = callInput.safeParse(step.input[0]);
  if (!result.success || !input.success) return undefined;
  const { callId, tool } = input.data;
  const at = step.closedAt ?? step.scheduledAt;
  const entries = authzEntries(step, result.data.authorization) ?? [];
  const { intent, execution } = result.data;
  if (intent) {
    entries.push({
      at,
      kind: 'intent_verdict',
      callId,
      tool,
      verdict: intent.verdict.verdict,
      reasons: intent.verdict.reasons,
    });
  }
  // The first approval stage the tool worker prepared within its answer (no prepareApproval step then).
  const prepared = preparedApproval.safeParse((step.result as { approval?: unknown }).approval);
  if (result.data.decision === 'needs_approval' && prepared.success) {
    entries.push({ at, kind: 'approval_requested', callId, tool, ...prepared.data });
  }
  if (result.data.decision === 'executed' && execution) {
    entries.push({
      at,
      kind: 'tool_outcome',
      callId,
      tool,
      status: 'executed',
      reason: result.data.reason,
      output: brief(execution.output),
    });
  }
  return entries;
}

type CallEntry = Extract<TimelineEntry, { kind: 'intent_verdict' | 'approval_requested' | 'tool_outcome' }>;

function callStepEntry(step: ActivityStep): CallEntry | undefined {
  const input = callInput.safeParse(step.input[0]);
  if (!input.success) return undefined;
  const { callId, tool } = input.data;
  const at = step.closedAt ?? step.scheduledAt;
  const intent = intentResult.safeParse(step.result);
  if (intent.success) {
    return {
      at,
      kind: 'intent_verdict',
      callId,
      tool,
      verdict: intent.data.verdict.verdict,
      reasons: intent.data.verdict.reasons,
    };
  }
  const prepared = preparedApproval.safeParse(step.result);
  if (prepared.success) return { at, kind: 'approval_requested', callId, tool, ...prepared.data };
  if ((step.input[0] as { authority?: unknown }).authority !== undefined) {
    const executed = executeResult.safeParse(step.result);
    if (step.outcome === 'completed' && executed.success) {
      return {
        at,
        kind: 'tool_outcome',
        callId,
        tool,
        status: 'executed',
        reason: 'executed',
        output: brief(executed.data.output),
      };
    }
    if (step.outcome !== 'pending') {
      return {
        at,
        kind: 'tool_outcome',
        callId,
        tool,
        status: step.outcome === 'completed' ? 'executed' : 'failed',
        reason: step.failure ?? step.outcome,
      };
    }
  }
  return undefined;
}

function approvalEntry(step: UpdateStep): TimelineEntry | undefined {
  const submission = approvalSubmission.safeParse(step.args[0]);
  if (!submission.success) return undefined;
  const entry: TimelineEntry = {
    at: step.completedAt ?? step.acceptedAt,
    kind: 'approval',
    callId: submission.data.callId,
    approver: submission.data.approver,
    decision: submission.data.decision,
    result: step.failure ? 'refused' : 'accepted',
    detail: step.failure ?? brief(step.result ?? 'pending'),
  };
  if (submission.data.reason) entry.reason = submission.data.reason;
  return entry;
}

/**
 * Decision records a closed run returned in its result: `{records}` (tool plans) or
 * `{timeline: [{decision}]}` (agent runs). Read from the history, so no worker is needed.
 */
export function recordsFromResult(result: unknown): DecisionRecord[] {
  const value = result as { records?: unknown; timeline?: unknown } | undefined;
  if (Array.isArray(value?.records)) return value.records as DecisionRecord[];
  if (Array.isArray(value?.timeline)) {
    return (value.timeline as Array<{ decision?: DecisionRecord }>).flatMap((e) =>
      e.decision && typeof e.decision.callId === 'string' ? [e.decision] : [],
    );
  }
  return [];
}

/**
 * The audit timeline of a run, read from its history alone (works for closed runs, without a worker).
 * Guard activities are recognized by the shapes of their plain-JSON inputs and results, so a renamed
 * activity keeps its place in the audit. `records` (the `decisionRecords` query, when available) adds
 * what never leaves the workflow: argument validation failures and the final outcome of each call.
 */
export function buildTimeline(
  run: RunHistory,
  records: DecisionRecord[] = recordsFromResult(run.result),
  options: TimelineOptions = {},
): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  const agent = keyword(run.searchAttributes.WardenAgent);
  const user = keyword(run.searchAttributes.WardenUser);
  entries.push({
    at: run.startedAt,
    kind: 'run_started',
    workflowType: run.workflowType,
    ...(agent ? { agent } : {}),
    ...(user ? { user } : {}),
  });
  // Authorization activities name their call id. Those recorded before they did belong to the next
  // guarded step of the same tool.
  const awaitingCallId = new Map<string, Array<TimelineEntry & { kind: 'authz_decision' }>>();
  const attached = new Set<string>();
  const attach = (callId: string, tool: string) => {
    if (attached.has(callId)) return;
    attached.add(callId);
    takeStep(awaitingCallId, tool, callId);
  };

  const toolOfCall = toolsByCallId(run, records);
  /** The last verified provenance of each call (when decisions are checked). */
  const signedProvenance = new Map<string, { at: string; provenance: CallProvenance }>();
  /** The words of each call's last failure, when the zone's worker signed them (`tool failed: …`). */
  const signedFailures = new Map<string, string>();
  for (const step of run.steps) {
    if (step.kind === 'update') {
      const entry = approvalEntry(step);
      if (entry) entries.push(entry);
      continue;
    }
    if (step.kind === 'signal') continue;
    const turn = modelTurn(step, toolOfCall);
    if (turn) {
      entries.push(turn);
      continue;
    }
    const handoff = handoffEntry(step);
    if (handoff) {
      entries.push(handoff);
      continue;
    }
    const guarded = guardedCallEntries(step);
    // A decision (a guarded call's result, or a tool activity's refusal) the zone did not sign keeps no words.
    const checked = options.decisions ? recordedDecision(step, run, options.decisions) : undefined;
    if (checked !== undefined) {
      const at = step.closedAt ?? step.scheduledAt;
      attached.add(checked.callId);
      if (!checked.verified) {
        const { callId, tool, problem } = checked;
        entries.push({ at, kind: 'unverified_decision', callId, tool, problem });
        continue;
      }
      if (checked.provenance) signedProvenance.set(checked.callId, { at, provenance: checked.provenance });
    }
    // A call that failed in a worker's own words keeps them only when the zone's worker signed them.
    const failed = options.decisions ? recordedFailure(step, run, options.decisions) : undefined;
    if (failed !== undefined) {
      attached.add(failed.callId);
      if (failed.verified) signedFailures.set(failed.callId, failed.reason);
      else signedFailures.delete(failed.callId);
      entries.push({
        at: step.closedAt ?? step.scheduledAt,
        kind: 'tool_outcome',
        callId: failed.callId,
        tool: failed.tool,
        status: 'failed',
        reason: failed.reason,
        failureSignature: failed.verified ? 'verified' : 'unverified',
      });
      continue;
    }
    if (guarded) {
      for (const entry of guarded) if ('callId' in entry && entry.callId) attached.add(entry.callId);
      entries.push(...guarded);
      continue;
    }
    const authz = authzEntries(step);
    if (authz) {
      for (const entry of authz) {
        if (entry.kind !== 'authz_decision') continue;
        entries.push(entry);
        if (entry.callId !== undefined) {
          attached.add(entry.callId);
          continue;
        }
        const list = awaitingCallId.get(entry.tool) ?? [];
        list.push(entry);
        awaitingCallId.set(entry.tool, list);
      }
      continue;
    }
    const callEntry = callStepEntry(step);
    if (callEntry) {
      attach(callEntry.callId, callEntry.tool);
      entries.push(callEntry);
      continue;
    }
    entries.push({
      at: step.closedAt ?? step.scheduledAt,
      kind: 'activity',
      activityType: step.activityType,
      outcome: step.outcome,
      ...(step.failure ? { detail: step.failure } : {}),
    });
  }

  const who = user ?? 'the user';
  for (const record of records) {
    // With keys to check them, only what a zone's worker signed is shown, not the run's own record.
    const shown = options.decisions ? signedProvenance.get(record.callId) : undefined;
    if (options.decisions === undefined && record.provenance) {
      const entry = provenanceEntry(record.requestedAt, record, record.provenance, who, 'unchecked');
      if (entry) entries.push(entry);
    } else if (shown) {
      const entry = provenanceEntry(shown.at, record, shown.provenance, who, 'verified');
      if (entry) entries.push(entry);
    }
    addRecordFacts(entries, record, options.decisions !== undefined, signedFailures.get(record.callId));
  }
  // A call denied by policy never reaches a step that names its call id; its decision record does.
  for (const record of records) {
    if (record.authorization !== undefined && !attached.has(record.callId)) {
      attached.add(record.callId);
      takeStep(awaitingCallId, record.tool, record.callId);
    }
  }
  if (run.closedAt) {
    // The result is the run's own account of its calls, in words no zone signed: with keys to
    // check them, the audit shows the calls as verified above, not the result's words for them.
    const shownResult = run.result === undefined || options.decisions ? undefined : brief(run.result);
    const detail = run.failure ?? shownResult;
    entries.push({ at: run.closedAt, kind: 'run_closed', status: run.status, ...(detail ? { detail } : {}) });
  }
  return entries.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}

/** Gives the oldest unattributed authorization step of `tool` (its decisions share one time) to `callId`. */
function takeStep(
  awaiting: Map<string, Array<TimelineEntry & { kind: 'authz_decision' }>>,
  tool: string,
  callId: string,
): void {
  const list = awaiting.get(tool);
  const first = list?.[0];
  if (!list || !first) return;
  const step = list.filter((entry) => entry.at === first.at);
  for (const entry of step) entry.callId = callId;
  list.splice(0, step.length);
}

/**
 * Adds from a decision record what the history cannot show: validation errors, decisions taken
 * again after a refusal at execution, and in-workflow refusals.
 */
function addRecordFacts(
  entries: TimelineEntry[],
  record: DecisionRecord,
  checked: boolean,
  signedFailure: string | undefined,
): void {
  const at = record.completedAt ?? record.requestedAt;
  // The run records a tool failure in the words the worker failed it with: shown only as the
  // zone's worker signed them for this call.
  const reason =
    checked &&
    record.outcome === 'failed' &&
    record.reason.startsWith('tool failed: ') &&
    record.reason !== signedFailure
      ? UNSIGNED_FAILURE_REASON
      : record.reason;
  if (!record.validation.ok) {
    entries.push({
      at: record.requestedAt,
      kind: 'validation_error',
      callId: record.callId,
      tool: record.tool,
      errors: record.validation.errors,
    });
  }
  for (const r of record.redecisions ?? []) {
    entries.push({
      at: r.at,
      kind: 'redecision',
      callId: record.callId,
      tool: record.tool,
      reason: r.reason,
      previousPolicyVersion: r.previousPolicyVersion,
      previousOutcome: r.previousOutcome,
      ...(r.previousApprovers ? { previousApprovers: r.previousApprovers } : {}),
    });
  }
  const terminal = ['executed', 'invalid', 'denied', 'rejected', 'expired', 'failed'];
  // A tool result the run refused (not signed by the zone's worker) was executed elsewhere, not here.
  if (record.outcome !== 'executed' && terminal.includes(record.outcome)) {
    for (const e of entries) {
      if (e.kind === 'tool_outcome' && e.callId === record.callId && e.status === 'executed') {
        e.status = record.outcome;
        e.reason = reason;
      }
    }
  }
  const hasOutcome = entries.some((e) => e.kind === 'tool_outcome' && e.callId === record.callId);
  if (!hasOutcome && terminal.includes(record.outcome)) {
    entries.push({
      at,
      kind: 'tool_outcome',
      callId: record.callId,
      tool: record.tool,
      status: record.outcome,
      reason,
    });
  }
}

/** The provenance of a call as an entry; none when nothing was traced and nothing found. */
function provenanceEntry(
  at: string,
  call: Pick<DecisionRecord, 'callId' | 'tool'>,
  p: CallProvenance,
  user: string,
  decisionSignature: 'verified' | 'unchecked',
): TimelineEntry | undefined {
  if (p.values.length === 0 && p.verdict === 'clear') return undefined;
  const found = p.tainted.length > 0 || p.confidential.length > 0;
  return {
    at,
    kind: 'provenance',
    callId: call.callId,
    tool: call.tool,
    verdict: p.verdict,
    request: p.request,
    why: found ? whyPerson([], p) : [],
    values: explainProvenance(p, user),
    short: provenanceShort(p),
    decisionSignature,
  };
}

/** Each traced value in short (argument → origin, trust, verdict), for the SIEM export. */
export function provenanceShort(p: CallProvenance): ProvenanceShort[] {
  const tainted = new Set(p.tainted.flatMap((t) => t.texts.map((text) => `${t.path}\u0000${text}`)));
  const confidential = new Set(
    p.confidential.flatMap((c) => c.texts.map((text) => `${c.path}\u0000${text}`)),
  );
  return p.values.map((v) => {
    const key = `${v.path}\u0000${v.text}`;
    const origins = v.sources.map((s) =>
      s.kind === 'output' ? `${s.tool}#${s.callId}${s.field === '' ? '' : `.${s.field}`}` : s.kind,
    );
    return {
      argument: v.token === 'value' ? v.path : `${v.path} (${v.token})`,
      origin: origins.length > 0 ? origins.join(', ') : 'none',
      trust: v.origin,
      verdict: tainted.has(key) ? 'tainted' : confidential.has(key) ? 'confidential' : 'clear',
    };
  });
}
