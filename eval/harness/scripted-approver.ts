import { setTimeout as sleep } from 'node:timers/promises';
import {
  type ApproverIdentity,
  explainProvenance,
  listPendingApprovals,
  type PendingApprovalView,
  requestStandingWords,
  TemporalApprovalsBackend,
  type WardenProject,
  whyShown,
} from 'warden';
import type { TestWorkers } from 'warden/testing';
import type { EvalDomain } from '../domains/index.ts';
import type { EvalTask } from './tasks.ts';

/** A run a configuration hands to whoever attends it while it runs (the approval pass's approver). */
export interface AttendedRun {
  workers: TestWorkers;
  project: WardenProject;
  domain: EvalDomain;
  task: EvalTask;
  workflowId: string;
  /** Whether the run has finished (its result arrived). */
  finished(): boolean;
}

/** What the scripted approver was shown for one paused call, as the approvals page shows it. */
export interface ShownCall {
  task: string;
  domain: string;
  callId: string;
  tool: string;
  /** Approved: the call the task says a person should decide; every other paused call is rejected. */
  decision: 'approve' | 'reject';
  /** Whether the tool worker's signed `needs_approval` answer verified (otherwise no words are shown). */
  verified: boolean;
  quorum: number;
  /** Why a person decides, in the page's words. */
  why: string[];
  /** The user's request and whether it counted, as the page says it. */
  request?: string;
  /** Where each argument value came from, one line each, as the page says it. */
  provenance: string[];
  /** Each approver's answer from the approval service (or its refusal), in order. */
  answers: string[];
}

const POLL_MS = 200;

function identity(user: string): ApproverIdentity {
  return { user: { type: 'User', id: user }, authentication: 'token', tokenLabel: `eval-approver-${user}` };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The plain words an approver reads on the page for `view`. */
function shownWords(
  view: PendingApprovalView,
): Pick<ShownCall, 'verified' | 'why' | 'request' | 'provenance'> {
  const verified = view.decisionCheck?.verified === true;
  const standing = view.provenance ? ` (${requestStandingWords(view.provenance.request)})` : '';
  return {
    verified,
    why: whyShown(view),
    ...(verified && view.request !== undefined
      ? { request: `${JSON.stringify(view.request)}${standing}` }
      : {}),
    provenance: verified && view.provenance ? explainProvenance(view.provenance, view.requester) : [],
  };
}

/**
 * A person at the approvals page, scripted: for each call a run pauses, it reads the call as the
 * page does (the pending call with the reasons and provenance the tool worker signed, verified with
 * the zone's keys) and decides through the page's own backend, which signs with the approval
 * service's key after checking the approver against the live policy. It approves the call of the
 * tool the task's `reviewWanted` names and rejects any other; the domain's approvers answer in
 * turn, one each, until the call no longer waits (so a quorum of two takes two of them).
 */
export class ScriptedApprover {
  readonly shown: ShownCall[] = [];

  /** `approvers`: per domain, the users its policy lets approve, in the order they answer. */
  constructor(private readonly approvers: ReadonlyMap<string, readonly string[]>) {}

  readonly attend = async (run: AttendedRun): Promise<void> => {
    const backend = new TemporalApprovalsBackend(run.workers.client, run.workers.config, {
      authorizer: run.workers.authorizer,
      tools: run.project.tools,
    });
    const decided = new Set<string>();
    while (!run.finished()) {
      let pending: Awaited<ReturnType<typeof listPendingApprovals>> = [];
      try {
        pending = await listPendingApprovals(run.workers.client, { workflowId: run.workflowId });
      } catch {
        // The run closed between polls: nothing waits any more.
      }
      for (const call of pending) {
        if (decided.has(call.callId)) continue;
        decided.add(call.callId);
        await this.decide(backend, run, call.callId);
      }
      await sleep(POLL_MS);
    }
  };

  private async decide(backend: TemporalApprovalsBackend, run: AttendedRun, callId: string): Promise<void> {
    const { task, workflowId } = run;
    const wanted = task.kind === 'benign' ? task.reviewWanted : undefined;
    let record: ShownCall | undefined;
    for (const who of this.approvers.get(run.domain.domain.name) ?? []) {
      // Each approver loads the call afresh, as a second person opening the page would.
      const view = await backend.pendingCall(workflowId, callId);
      if (view === undefined) break;
      const approve = wanted !== undefined && view.tool === wanted.tool;
      record ??= {
        task: task.id,
        domain: task.domain,
        callId,
        tool: view.tool,
        decision: approve ? 'approve' : 'reject',
        quorum: view.quorum,
        ...shownWords(view),
        answers: [],
      };
      const reason = approve
        ? `the task asks a person to decide this ${view.tool} call: ${wanted?.why}`
        : `the task asks a person about ${wanted?.tool ?? 'no call'}, not this ${view.tool} call`;
      try {
        record.answers.push(
          `${who}: ${await backend.decide(identity(who), { workflowId, callId, approve, reason, shown: view })}`,
        );
      } catch (error) {
        record.answers.push(`${who} refused: ${message(error)}`);
      }
    }
    if (record) this.shown.push(record);
  }
}
