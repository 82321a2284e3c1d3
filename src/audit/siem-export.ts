import type { Client } from '@temporalio/client';
import { HANDOFF_ACTION } from '../activities/agent/authorize-handoff.ts';
import { PayloadDecryptionError } from '../temporal/encryption-codec.ts';
import { listRuns } from '../temporal/list-runs.ts';
import { decodeHistoryWithClient } from './decode-history.ts';
import { ocsfAuditEvent } from './ocsf-audit.ts';
import type { DecisionVerifier } from './recorded-decisions.ts';
import { decodeRunHistory, type RunHistory } from './run-history.ts';
import { buildTimeline, keyword, type ProvenanceShort, type TimelineEntry } from './timeline.ts';

export const AUDIT_SCHEMA = 'warden.audit.v1';

export type AuditEvent =
  | 'authz_decision'
  | 'handoff_decision'
  | 'intent_verdict'
  | 'validation_error'
  | 'approval_requested'
  | 'approval'
  | 'redecision'
  | 'provenance'
  | 'tool_outcome';

/**
 * One SIEM line. Every key is always present (null when it does not apply), so field names and
 * types stay stable across event kinds: `decision` is allow/deny (authz and handoff, whose `reason`
 * starts with the agent the conversation goes to), allow/deny/escalate
 * (intent), approve/reject (approval), or the tool outcome status. `target` names the agent a
 * `handoff_decision` hands the conversation to, or the record (`Customer:c-1001`) an
 * `authz_decision` of a record check is about (null on every other event). A `redecision` is an
 * earlier decision of the call that the execution re-check refused: `decision` is that earlier
 * outcome (approved/unattended), `policy_version` the policy it was taken under, `approver` its
 * approvers (comma-separated, or null), and `reason` why it was refused. A `provenance` event is
 * a call's provenance: `decision` its verdict (clear/escalate/deny, or `unverified` when the zone's
 * key did not sign the recorded decision: then `reason` says why and nothing it said is exported),
 * `provenance` each traced argument value in short, and `decision_signature` whether the decision
 * was read from the tool worker's signed result (`verified`), or could not be (`unverified`), or from
 * the run's own record with no key to check it (`unchecked`); both are null on every other event,
 * except that a failed `tool_outcome` read with the zones' keys has `decision_signature` too:
 * `verified` when the zone's worker signed its words (the `reason` shows them), `unverified` when not.
 */
export interface AuditRecord {
  schema: typeof AUDIT_SCHEMA;
  ts: string;
  event: AuditEvent;
  workflow_id: string;
  run_id: string;
  workflow_type: string;
  agent: string | null;
  user: string | null;
  call_id: string | null;
  tool: string | null;
  decision: string;
  reason: string;
  action: string | null;
  actor: string | null;
  approver: string | null;
  policy_version: string | null;
  facts_version: string | null;
  engine: string | null;
  target: string | null;
  provenance: ProvenanceShort[] | null;
  decision_signature: 'verified' | 'unverified' | 'unchecked' | null;
}

export function auditRecords(run: RunHistory, timeline: TimelineEntry[] = buildTimeline(run)): AuditRecord[] {
  const base = {
    schema: AUDIT_SCHEMA,
    workflow_id: run.workflowId,
    run_id: run.runId,
    workflow_type: run.workflowType,
    agent: keyword(run.searchAttributes.WardenAgent) ?? null,
    user: keyword(run.searchAttributes.WardenUser) ?? null,
  } as const;
  const empty = {
    call_id: null,
    tool: null,
    action: null,
    actor: null,
    approver: null,
    policy_version: null,
    facts_version: null,
    engine: null,
    target: null,
    provenance: null,
    decision_signature: null,
  };
  const out: AuditRecord[] = [];
  for (const e of timeline) {
    const common = { ...base, ...empty, ts: e.at };
    switch (e.kind) {
      case 'authz_decision':
        out.push({
          ...common,
          event: e.kind,
          agent: base.agent ?? e.actor,
          user: base.user ?? e.onBehalfOf ?? null,
          call_id: e.callId ?? null,
          tool: e.tool,
          decision: e.allowed ? 'allow' : 'deny',
          reason: e.reason,
          action: e.action,
          actor: e.actor,
          policy_version: e.policyVersion,
          facts_version: e.factsVersion,
          engine: e.engine,
          target: e.resource ?? null,
        });
        break;
      case 'handoff_decision':
        out.push({
          ...common,
          event: e.kind,
          agent: e.from,
          user: base.user ?? e.onBehalfOf ?? null,
          decision: e.allowed ? 'allow' : 'deny',
          reason: `handoff to ${e.to}: ${e.reason}`,
          action: HANDOFF_ACTION,
          actor: e.from,
          policy_version: e.policyVersion,
          facts_version: e.factsVersion,
          engine: e.engine,
          target: e.to,
        });
        break;
      case 'intent_verdict':
        out.push({
          ...common,
          event: e.kind,
          call_id: e.callId,
          tool: e.tool,
          decision: e.verdict,
          reason: e.reasons.join('; '),
        });
        break;
      case 'validation_error':
        out.push({
          ...common,
          event: e.kind,
          call_id: e.callId,
          tool: e.tool,
          decision: 'invalid',
          reason: e.errors.join('; '),
        });
        break;
      case 'approval_requested':
        out.push({
          ...common,
          event: e.kind,
          call_id: e.callId,
          tool: e.tool,
          decision: 'pending',
          reason: `eligible: ${e.eligibleApprovers.join(', ')}`,
          policy_version: e.policyVersion,
        });
        break;
      case 'approval':
        out.push({
          ...common,
          event: e.kind,
          call_id: e.callId,
          decision: e.result === 'accepted' ? e.decision : `refused_${e.decision}`,
          reason: e.result === 'accepted' ? (e.reason ?? '') : e.detail,
          approver: e.approver,
        });
        break;
      case 'redecision':
        out.push({
          ...common,
          event: e.kind,
          call_id: e.callId,
          tool: e.tool,
          decision: e.previousOutcome,
          reason: e.reason,
          approver: e.previousApprovers?.join(',') || null,
          policy_version: e.previousPolicyVersion,
        });
        break;
      case 'tool_outcome':
        out.push({
          ...common,
          event: e.kind,
          call_id: e.callId,
          tool: e.tool,
          decision: e.status,
          reason: e.reason,
          decision_signature: e.failureSignature ?? null,
        });
        break;
      case 'provenance':
        out.push({
          ...common,
          event: 'provenance',
          call_id: e.callId,
          tool: e.tool,
          decision: e.verdict,
          reason: e.why.join('; '),
          provenance: e.short,
          decision_signature: e.decisionSignature,
        });
        break;
      case 'unverified_decision':
        out.push({
          ...common,
          event: 'provenance',
          call_id: e.callId,
          tool: e.tool,
          decision: 'unverified',
          reason: e.problem,
          decision_signature: 'unverified',
        });
        break;
      default:
        break;
    }
  }
  // Approvals carry the call id only; take the tool from the call's other records.
  const toolOf = new Map(out.filter((r) => r.call_id && r.tool).map((r) => [r.call_id, r.tool]));
  for (const record of out)
    if (record.tool === null && record.call_id) record.tool = toolOf.get(record.call_id) ?? null;
  return out;
}

/** Visibility query for Warden runs started at or after `since` (every Warden run sets WardenAgent). */
export function exportQuery(since?: Date): string {
  const clauses = ['WardenAgent IS NOT NULL'];
  if (since) clauses.push(`StartTime >= '${since.toISOString()}'`);
  return clauses.join(' AND ');
}

export interface ExportProgress {
  runs: number;
  /** Runs that could not be read (no configured payload key decrypts them, or a malformed history): skipped, and named with the reason. */
  unreadable: Array<{ workflowId: string; reason: string }>;
  lines: number;
}

/**
 * Streams audit lines for every Warden run that matches, oldest records first within a run.
 * `write` receives complete JSON lines; `progress` is called after each run.
 */
export async function exportAudit(
  client: Client,
  options: {
    since?: Date;
    query?: string;
    /** `warden`: the records as they are (default); `ocsf`: each as an OCSF API Activity event. */
    format?: 'warden' | 'ocsf';
    /** Checks each run's recorded decisions; without it, provenance is exported `unchecked`. */
    decisions?: DecisionVerifier;
    write: (line: string) => void | Promise<void>;
    progress?: (p: ExportProgress) => void;
  },
): Promise<ExportProgress> {
  const totals: ExportProgress = { runs: 0, lines: 0, unreadable: [] };
  const query = options.query ?? exportQuery(options.since);
  // One run at a time through listRuns (the SDK's list decodes every memo and would stop at the
  // first run encrypted under a key this exporter lacks); unreadable runs are named, not fatal.
  for await (const { workflowId, runId } of listRuns(client, query)) {
    const result = await readRun(client, workflowId, runId, options.decisions);
    if ('reason' in result) {
      totals.unreadable.push({ workflowId, reason: result.reason });
      continue;
    }
    for (const [index, record] of result.records.entries()) {
      const line = options.format === 'ocsf' ? ocsfAuditEvent(record, index) : record;
      await options.write(`${JSON.stringify(line)}\n`);
      totals.lines += 1;
    }
    totals.runs += 1;
    options.progress?.(totals);
  }
  return totals;
}

/**
 * One run's audit records, or why it cannot be read (e.g. encrypted under a key this exporter does
 * not hold): such a run must not stop the export of the others; it is named on the way out.
 */
async function readRun(
  client: Client,
  workflowId: string,
  runId: string | undefined,
  decisions: DecisionVerifier | undefined,
): Promise<{ records: AuditRecord[] } | { reason: string }> {
  try {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const decoded = await decodeHistoryWithClient(client, history, workflowId);
    const run = decodeRunHistory(decoded, workflowId);
    return { records: auditRecords(run, buildTimeline(run, undefined, decisions ? { decisions } : {})) };
  } catch (error) {
    if (error instanceof PayloadDecryptionError)
      return { reason: `no configured payload key decrypts it (${error.message})` };
    return { reason: error instanceof Error ? (error.message.split('\n')[0] ?? error.name) : String(error) };
  }
}
