import type { DecisionRecord, RequesterAssertion, ToolCallOutcome } from '../../guard/types.ts';

/** Start input of `agentRunWorkflow`: plain JSON, recorded as the first event of the run. */
export interface AgentRunInput {
  /** An agent of agents/catalog.ts, by name. */
  agent: string;
  /** The user the agent acts for: `User:<onBehalfOf>` in the policy. */
  onBehalfOf: string;
  /** Signed by the service that authenticated `onBehalfOf` when it started the run; tool workers verify it. */
  requester?: RequesterAssertion;
  input: string;
  /** The scripted model's scenario (agents/scenarios/<name>.yaml); real models ignore it. */
  scenario?: string;
  /** Tighter bounds than the agent's own, for this run only (never looser). */
  limits?: { maxTurns?: number; maxTokens?: number; turnsPerRun?: number };
  /** Set by the run itself when it continues as a new execution. */
  resume?: RunResume;
}

export interface RunResume {
  /** agents-core `RunState`, serialized. */
  state: string;
  turns: number;
  tokens: number;
  executions: number;
  timeline: TimelineEntry[];
}

export type TimelineEntry =
  | {
      kind: 'model';
      turn: number;
      agent: string;
      tokens: number;
      /** What the model said in this turn, if anything. */
      message?: string;
      /** Tool (and handoff) calls the model asked for, with the arguments as it wrote them. */
      calls: Array<{ callId: string; name: string; arguments: string }>;
    }
  | {
      kind: 'tool';
      agent: string;
      outcome: ToolCallOutcome;
      /** The guard's record: validation, authorization (with policy version), intent, approval. */
      decision?: DecisionRecord;
    }
  | { kind: 'unknown_tool'; agent: string; callId: string; name: string; message: string }
  | { kind: 'handoff'; from: string; to: string; allowed: boolean; reason: string }
  | { kind: 'continued'; turns: number; tokens: number };

export type AgentRunStatus = 'completed' | 'max_turns' | 'token_budget' | 'model_error';

export interface AgentRunResult {
  status: AgentRunStatus;
  agent: string;
  /** The agent that produced the final output (differs after a handoff). */
  finalAgent: string;
  onBehalfOf: string;
  finalOutput?: string;
  /** Why the run ended early, for statuses other than `completed`. */
  reason?: string;
  turns: number;
  tokens: number;
  /** Executions in this run's continue-as-new chain (1 when it never continued). */
  executions: number;
  timeline: TimelineEntry[];
}

/** Live view of a run, for `agentRunProgress` queries. */
export interface AgentRunProgress {
  agent: string;
  currentAgent: string;
  turns: number;
  tokens: number;
  timeline: TimelineEntry[];
}
