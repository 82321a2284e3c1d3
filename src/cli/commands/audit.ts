import type { Client } from '@temporalio/client';
import type { Command } from 'commander';
import { loadRun, RunNotFoundError } from '../../audit/load-run.ts';
import type { RunHistory } from '../../audit/run-history.ts';
import { buildTimeline, recordsFromResult, type TimelineEntry } from '../../audit/timeline.ts';
import type { DecisionRecord } from '../../guard/types.ts';
import { unverifiedWords } from '../../provenance/explain.ts';
import { hostDecisionVerifier } from '../../zones/host-decision-verifier.ts';
import { CliError } from '../errors.ts';
import { currentProject } from '../project.ts';
import { printJson, withOpsSession } from './ops-session.ts';

/** One line per entry, time first: what `warden audit` and `warden replay` print. */
export function describeEntry(e: TimelineEntry): string {
  switch (e.kind) {
    case 'run_started':
      return `run started   ${e.workflowType}${e.agent ? ` agent=${e.agent}` : ''}${e.user ? ` user=${e.user}` : ''}`;
    case 'model_turn': {
      const calls = e.toolCalls.map((c) => `${c.tool}#${c.callId}`).join(', ');
      return `model turn ${e.turn}${calls ? `  asks for ${calls}` : ''}${e.text ? `  says: ${e.text}` : ''}`;
    }
    case 'authz_decision':
      return `authz         ${e.allowed ? 'ALLOW' : 'DENY '} ${e.action} ${e.resource ?? e.tool}${e.callId ? `#${e.callId}` : ''} by ${e.actor}${e.onBehalfOf ? ` for ${e.onBehalfOf}` : ''} (policy ${e.policyVersion}): ${e.reason}`;
    case 'handoff_decision':
      return `handoff       ${e.allowed ? 'ALLOW' : 'DENY '} ${e.from} → ${e.to}${e.onBehalfOf ? ` for ${e.onBehalfOf}` : ''} (policy ${e.policyVersion}): ${e.reason}`;
    case 'intent_verdict':
      return `intent        ${e.verdict.toUpperCase()} ${e.tool}#${e.callId}${e.reasons.length ? `: ${e.reasons.join('; ')}` : ''}`;
    case 'validation_error':
      return `validation    INVALID ${e.tool}#${e.callId}: ${e.errors.join('; ')}`;
    case 'approval_requested':
      return `approval      REQUESTED ${e.tool}#${e.callId} from ${e.eligibleApprovers.join(', ') || 'nobody eligible'} (policy ${e.policyVersion})`;
    case 'approval':
      return `approval      ${e.decision.toUpperCase()} #${e.callId} by ${e.approver}${e.reason ? ` "${e.reason}"` : ''} → ${e.result}${e.result === 'refused' ? `: ${e.detail}` : ''}`;
    case 'provenance': {
      const lines = [...e.why.map((w) => `needs a person: ${w}`), ...e.values];
      return `provenance    ${e.verdict.toUpperCase()} ${e.tool}#${e.callId} (request ${e.request})${lines.map((l) => `\n                ${l}`).join('')}`;
    }
    case 'unverified_decision':
      return `provenance    UNVERIFIED ${e.tool}#${e.callId}: ${unverifiedWords(e.problem)}`;
    case 'tool_outcome':
      return `tool          ${e.status.toUpperCase()} ${e.tool}#${e.callId}${e.output ? ` → ${e.output}` : e.status === 'executed' ? '' : `: ${e.reason}`}${e.failureSignature === 'verified' ? ' (signature verified)' : ''}`;
    case 'redecision': {
      const how =
        e.previousOutcome === 'approved'
          ? `approved by ${e.previousApprovers?.join(', ') || 'approvers'}`
          : e.previousOutcome;
      return `redecision    ${e.tool}#${e.callId} decided again (was ${how} under policy ${e.previousPolicyVersion}): ${e.reason}`;
    }
    case 'activity':
      return `activity      ${e.activityType} ${e.outcome}${e.detail ? `: ${e.detail}` : ''}`;
    case 'run_closed':
      return `run ${e.status}${e.detail ? `  ${e.detail}` : ''}`;
  }
}

export function printTimeline(timeline: TimelineEntry[]): void {
  for (const entry of timeline) console.log(`${entry.at}  ${describeEntry(entry)}`);
}

/**
 * Decision records add validation failures. A closed run has them in its result; a running one
 * answers the guard's `decisionRecords` query, which needs a worker, so it is optional.
 */
async function decisionRecords(client: Client, run: RunHistory): Promise<DecisionRecord[] | undefined> {
  if (run.status !== 'running') return recordsFromResult(run.result);
  try {
    const handle = client.workflow.getHandle(run.workflowId, run.runId || undefined);
    const query = handle.query<DecisionRecord[]>('decisionRecords');
    const timeout = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 3_000).unref());
    return await Promise.race([query, timeout]);
  } catch {
    return undefined;
  }
}

/**
 * A run's audit: its history, decision records, and the timeline with each recorded decision checked
 * with the zone keys of `config` (provenance is shown only as a zone's worker signed it).
 */
export async function loadAudit(
  client: Client,
  workflowId: string,
  config: Parameters<typeof hostDecisionVerifier>[0],
) {
  const run = await loadRun(client, workflowId).catch((error: unknown) => {
    if (error instanceof RunNotFoundError) throw new CliError(error.message, 1);
    throw error;
  });
  const records = await decisionRecords(client, run);
  const decisions = hostDecisionVerifier(config, (await currentProject())?.tools);
  return { run, records, timeline: buildTimeline(run, records ?? [], { decisions }) };
}

export function registerAudit(program: Command): void {
  program
    .command('audit')
    .description(
      'the decision timeline of a run: model turns, validation, authorization, intent, approvals, results',
    )
    .argument('<run>', 'workflow id of the run')
    .option('--json', 'print the timeline as JSON')
    .action(async (workflowId: string, options: { json?: boolean }) => {
      await withOpsSession(async ({ client, config }) => {
        const { run, records, timeline } = await loadAudit(client, workflowId, config);
        if (options.json) {
          printJson({
            workflowId: run.workflowId,
            runId: run.runId,
            workflowType: run.workflowType,
            status: run.status,
            startedAt: run.startedAt,
            closedAt: run.closedAt ?? null,
            memo: run.memo,
            searchAttributes: run.searchAttributes,
            records: records ?? null,
            timeline,
          });
          return;
        }
        console.log(
          `run ${run.workflowId} (${run.workflowType}, ${run.status}), ${run.eventCount} history events`,
        );
        if (typeof run.memo.summary === 'string') console.log(`summary: ${run.memo.summary}`);
        printTimeline(timeline);
        if (records === undefined && run.status === 'running') {
          console.log('(no worker answered the decisionRecords query: validation failures are not shown)');
        }
      });
    });
}
