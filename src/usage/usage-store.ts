import type { RunUsage } from '../guard/types.ts';

/** The run a call belongs to, as the Temporal server reports it to the activity (never from input). */
export interface RunKey {
  workflowId: string;
  runId: string;
}

/** One guarded call asking to execute, with what its volume rules need to see and to count. */
export interface AdmissionRequest {
  run: RunKey;
  callId: string;
  /** The activity execution asking: its retries share it, another execution does not. */
  activityId: string;
  /** The argument digest the decision covers. */
  digest: string;
  tool: string;
  /** Hosts the call contacts; they count as known for the run once the call executed. */
  hosts: string[];
  /** The agent/user/tool key of per-window limits. */
  windowKey: string;
  /** The windows (ms) of the call's per-window rules; empty: the call takes no window place. */
  windowsMs: number[];
  now: number;
}

/** What the store holds for the decision, read inside the admission's transaction. */
export interface UsageSnapshot {
  /** The run's other calls: reserved or executed, never this one. */
  usage: RunUsage;
  /** Calls under the window key in each requested window, this call's own place excluded. */
  callsInWindow: Record<number, number>;
}

/** What the decision says: take the call (claim it, take its window places) or not, and its answer. */
export interface AdmissionVerdict<T> {
  admit: boolean;
  value: T;
}

export type AdmissionResult<T> =
  | AdmissionVerdict<T>
  /** Another activity execution already claimed this call: a grant is used once. */
  | { admit: false; claimedBy: string };

/**
 * Usage that workflow code cannot forge: per-run counts, per-window limits and one-time execution
 * claims, shared by every worker of a deployment.
 */
export interface UsageStore {
  /** The run's usage so far (for decisions that only advise, e.g. before an approval wait). */
  runUsage(run: RunKey, exceptCallId?: string): Promise<RunUsage>;
  windowCount(windowKey: string, windowMs: number, now: number): Promise<number>;
  /**
   * Atomically: refuses a call claimed by another activity execution, otherwise reads the snapshot,
   * asks `decide`, and on admit claims the call for this execution and takes its window places. A
   * refused retry of an execution that had claimed the call gives its claim back.
   */
  admit<T>(
    request: AdmissionRequest,
    decide: (snapshot: UsageSnapshot) => AdmissionVerdict<T>,
  ): Promise<AdmissionResult<T>>;
  /** The tool ran: the call counts its records and its hosts for the run. */
  recordExecution(run: RunKey, callId: string, activityId: string, recordsRead: number): Promise<void>;
  /** Gives back the claim and window places of this execution; another execution's claim is kept. */
  release(run: RunKey, callId: string, activityId: string): Promise<void>;
  close(): void;
}
