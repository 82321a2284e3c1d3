import { ActivityFailure, workflowInfo } from '@temporalio/workflow';
import type { GuardActivities } from '../../activities/guard/index.ts';
import { authorizationSummary } from '../../guard/authorization-summary.ts';
import { carriedJson } from '../../guard/canonical-json.ts';
import { decisionSignatureProblem, refusalAnswer } from '../../guard/decision-signature.ts';
import {
  receivedResultClaim,
  resultSignatureProblem,
  type ToolResultClaim,
  type ZonePublicKeys,
} from '../../guard/tool-result-signature.ts';
import type {
  AddedRestrictions,
  ApprovalSubmission,
  DecisionRecord,
  ExecuteToolResult,
  GuardedCallResult,
  Redecision,
  ToolCallOutcome,
} from '../../guard/types.ts';
import type { ToolDefinition } from '../../tools/define-tool.ts';
import { type ApprovalWaiter, PREPARED_APPROVAL } from './approval-wait.ts';
import { MAX_DECISION_ROUNDS } from './decision-rounds.ts';
import { failureText, refusalCode, refusalDetail, summarize } from './failures.ts';
import type { RunIdentity } from './run-guard.ts';

/**
 * Runs recorded before this patch decide a call in three activities (authorize, intent, execute);
 * later runs ask the tool worker, which decides and executes in one.
 */
export const PEP_SINGLE_ACTIVITY = 'warden-pep-single-activity';

/** Runs recorded before this patch send no request text with their calls. */
export const PROVENANCE_REQUEST = 'warden-provenance-request';

/**
 * Runs recorded before this patch were answered with the authorization summary in each result;
 * later runs ask for the compact result and derive the summary from the decisions it holds.
 */
export const COMPACT_GUARDED_RESULT = 'warden-compact-guarded-result';

/**
 * Runs recorded before this patch accept a decision the tool worker did not sign; later runs verify
 * every decision with the zone's keys before they record it or pause for a person.
 */
export const SIGNED_DECISIONS = 'warden-signed-decisions';

/** The decisions a guarded call's result can carry; anything else signed is no result. */
const GUARDED_DECISIONS: ReadonlyArray<unknown> = ['executed', 'needs_approval', 'denied'];
const NOT_A_DECISION = "the zone's signed answer is no decision of a guarded call";

/**
 * Runs recorded before this patch take an unattended call's decision and its result on two
 * signatures; later runs ask the tool worker to sign both as one (the decision's claim binds the
 * result's digest) and verify that one. A result after an approval keeps its own signature.
 */
export const ONE_SIGNATURE = 'warden-one-signature';

/**
 * Runs recorded before this patch send no decision round with a call: the worker's signature then
 * binds no round, and an earlier round's genuine answer (the needs_approval from before an approval)
 * verifies in a later round of the same call. Later runs send the round, and verify every answer and
 * failure for it (a failure also for the activity execution the server reports it of).
 */
export const SIGNED_ROUNDS = 'warden-signed-decision-rounds';

/**
 * The arguments' canonical JSON as the tool worker receives and signs them, or nothing when they
 * cannot be encoded: each check then encodes them itself, fails, and refuses the signature.
 */
function encodedArguments(args: unknown): { argumentsJson?: string } {
  try {
    return { argumentsJson: carriedJson(args) };
  } catch {
    return {};
  }
}

/** What the run guard lends this call path: its activities, its approval wait, its bookkeeping. */
export interface ToolWorkerGuard {
  activities(tool: ToolDefinition): Pick<GuardActivities, 'guardedToolCall' | 'executeGuardedTool'>;
  /** The zones' public keys, from the main worker's configuration (a local activity, once per run). */
  zoneKeys(): Promise<ZonePublicKeys>;
  waitForApproval: ApprovalWaiter;
  finish(record: DecisionRecord, outcome: ToolCallOutcome): ToolCallOutcome;
  /** Whether the run takes a patch (guard-patches.ts). */
  patched(patchId: string): boolean;
}

/**
 * One guarded call decided by the tool worker, the enforcement point: one activity authorizes,
 * checks intent and, when the call may run unattended, executes it. The run pauses only when that
 * activity answers `needs_approval`; the tool worker then decides again when it executes the
 * approved call. A decision is taken only when the zone's key signed it for this call of this run,
 * and a result only when the zone's key signed it (an unattended call's result within its decision,
 * one signature for both; an approved call's on its own): a poller on the zone's queue without the
 * key can make the call fail, never pause it behind made-up reasons, deny it in made-up words, or run it.
 */
export async function decideAtToolWorker(
  guard: ToolWorkerGuard,
  identity: RunIdentity,
  added: AddedRestrictions,
  record: DecisionRecord,
  tool: ToolDefinition,
  args: unknown,
  callId: string,
): Promise<ToolCallOutcome> {
  const base = { callId, tool: tool.name };
  const call = {
    callId,
    tool: tool.name,
    arguments: args,
    agent: identity.agent,
    onBehalfOf: identity.onBehalfOf,
    purpose: identity.purpose,
    ...added,
    ...(identity.requester ? { requester: identity.requester } : {}),
    ...(identity.request !== undefined && guard.patched(PROVENANCE_REQUEST)
      ? { request: identity.request }
      : {}),
    ...(guard.patched(COMPACT_GUARDED_RESULT) ? { compactResult: true } : {}),
    ...(guard.patched(ONE_SIGNATURE) ? { signOnce: true } : {}),
  };
  const verify = guard.patched(SIGNED_DECISIONS);
  const rounds = guard.patched(SIGNED_ROUNDS);
  // Only a run that verifies the answer takes the approval stage it carries; execution needs none.
  const prepare = verify && guard.patched(PREPARED_APPROVAL);
  const asked = prepare ? { ...call, prepareApproval: true } : call;
  const { workflowId, runId } = workflowInfo();
  const decided = {
    zone: tool.zone,
    workflowId,
    runId,
    callId,
    tool: tool.name,
    arguments: args,
    // Encoded once for every check of the call (its decisions' digests, its result's message).
    ...encodedArguments(args),
    request: call.request,
  };
  /** What the zone's signature of an execution covers: this call's result, as the run received it. */
  const resultClaim = (execution: unknown): ToolResultClaim =>
    receivedResultClaim({ ...decided, agent: identity.agent, onBehalfOf: identity.onBehalfOf }, execution);
  /** The call as decided in `round`: the round is bound only in runs that count rounds. */
  const decidedIn = (round: number) => (rounds ? { ...decided, round } : decided);
  /** Why the zone's worker did not sign this answer in this round (runs that verify decisions only). */
  const unsigned = async (answer: unknown, round: number): Promise<string | undefined> =>
    verify ? decisionSignatureProblem(await guard.zoneKeys(), decidedIn(round), answer) : undefined;
  /**
   * Why the zone's worker did not sign this refusal in this round, of the activity execution the
   * server reports it failed (its id from the server's failure, never from the failure's details).
   */
  const unsignedRefusal = async (error: unknown, round: number): Promise<string | undefined> => {
    const { code, decisionSignature, attempt } = refusalDetail(error);
    const answer = { ...refusalAnswer(code, failureText(error)), decisionSignature };
    if (!verify) return undefined;
    const activityId = error instanceof ActivityFailure ? error.activityId : undefined;
    const failedAttempt =
      rounds && typeof activityId === 'string' && typeof attempt === 'number' && Number.isSafeInteger(attempt)
        ? { failedAttempt: { activityId, attempt } }
        : {};
    return decisionSignatureProblem(
      await guard.zoneKeys(),
      { ...decidedIn(round), ...failedAttempt },
      answer,
    );
  };
  const decisionRefused = (problem: string): ToolCallOutcome =>
    guard.finish(record, { ...base, status: 'failed', reason: `decision refused: ${problem}` });
  const refused = async (error: unknown, round: number): Promise<ToolCallOutcome> => {
    if (refusalCode(error) === undefined) {
      return guard.finish(record, {
        ...base,
        status: 'failed',
        reason: `tool failed: ${failureText(error)}`,
      });
    }
    // A refusal in words the zone's worker did not sign is not recorded in them.
    const problem = await unsignedRefusal(error, round);
    if (problem !== undefined) return decisionRefused(problem);
    return guard.finish(record, {
      ...base,
      status: 'denied',
      reason: `refused at execution: ${failureText(error)}`,
    });
  };

  for (let round = 1; ; round++) {
    const sent = rounds ? { ...asked, round } : asked;
    let answer: GuardedCallResult;
    try {
      answer = await guard.activities(tool).guardedToolCall(sent);
    } catch (error) {
      return refused(error, round);
    }
    // Asked to sign once, an executed call's decision is taken only with the result it signed.
    const once =
      call.signOnce === true && answer?.decision === 'executed' ? { execution: answer.execution } : undefined;
    const problem = once
      ? decisionSignatureProblem(
          await guard.zoneKeys(),
          decidedIn(round),
          answer,
          resultClaim(once.execution),
        )
      : await unsigned(answer, round);
    if (problem !== undefined) return decisionRefused(problem);
    // A refusal or failure the zone signed, completed as a result, verifies but decides nothing.
    if (!GUARDED_DECISIONS.includes(answer?.decision)) return decisionRefused(NOT_A_DECISION);
    record.authorization = answer.authorization.summary ?? authorizationSummary(answer.authorization);
    if (answer.intent) {
      record.intent = answer.intent.verdict;
      record.argsDigest = answer.intent.digest;
    }
    if (answer.provenance) record.provenance = answer.provenance;
    if (answer.decision === 'denied')
      return guard.finish(record, { ...base, status: 'denied', reason: answer.reason });

    let execution: ExecuteToolResult;
    let approvals: ApprovalSubmission[] = [];
    if (answer.decision === 'executed') {
      delete record.approval;
      execution = answer.execution;
    } else {
      const grant = answer.intent.grant;
      const approval = await guard.waitForApproval(
        record,
        tool,
        args,
        grant,
        answer.reasons,
        {
          answer,
          arguments: args,
          ...(call.request !== undefined ? { request: call.request } : {}),
          ...(rounds ? { round } : {}),
        },
        prepare ? answer.approval : undefined,
      );
      if (approval.state !== 'approved') {
        return guard.finish(record, { ...base, status: approval.state, reason: approval.reason });
      }
      approvals = approval.approvals;
      record.outcome = 'executing';
      try {
        execution = await guard
          .activities(tool)
          .executeGuardedTool({ ...sent, authority: { grant, approvals } });
      } catch (error) {
        if (
          refusalCode(error) === 'policy_changed' &&
          round < MAX_DECISION_ROUNDS &&
          (await unsignedRefusal(error, round)) === undefined
        ) {
          const redecision: Redecision = {
            at: new Date().toISOString(),
            reason: failureText(error),
            previousPolicyVersion: grant.policyVersion,
            previousOutcome: 'approved',
            previousApprovers: approvals.map((a) => a.approver),
          };
          record.redecisions = [...(record.redecisions ?? []), redecision];
          record.reason = `decided again: ${redecision.reason}`;
          continue;
        }
        return refused(error, round);
      }
    }

    const resultProblem = once
      ? undefined
      : resultSignatureProblem(await guard.zoneKeys(), resultClaim(execution), execution?.signature);
    if (resultProblem !== undefined) {
      return guard.finish(record, { ...base, status: 'failed', reason: `result refused: ${resultProblem}` });
    }
    record.attempts = execution.attempt;
    record.outputSummary = summarize(execution.output);
    if (execution.filtered !== undefined) record.filtered = execution.filtered;
    const how =
      approvals.length > 0 ? `approved by ${approvals.map((a) => a.approver).join(', ')}` : 'unattended';
    return guard.finish(record, {
      ...base,
      status: 'executed',
      output: execution.output,
      reason: `executed (${how})`,
    });
  }
}
