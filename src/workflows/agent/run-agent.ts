import { MaxTurnsExceededError, ModelBehaviorError, Runner, RunState } from '@openai/agents-core';
import { ApplicationFailure, continueAsNew, setHandler } from '@temporalio/workflow';
import type { AgentCatalog, AgentDefinition } from '../../agents/define-agent.ts';
import type { OsoValue } from '../../authz/types.ts';
import { toolRegistry } from '../../tools/define-tool.ts';
import { kindOf } from '../guard/call-request.ts';
import { AGENT_PATCHES } from '../guard/guard-patches.ts';
import { createRunGuard, type RunGuard } from '../guard/run-guard.ts';
import { ModelCallLedger, TokenBudgetExceeded } from './activity-backed-model.ts';
import { agentPrincipal, buildAgentGraph } from './build-agents.ts';
import { agentRunProgressQuery } from './progress-query.ts';
import type { AgentRunInput, AgentRunResult, AgentRunStatus, TimelineEntry } from './run-types.ts';

/** Tool calls of one model turn that run at once; more wait for a free slot. */
const MAX_PARALLEL_TOOL_CALLS = 8;

/**
 * Appends a timeline entry; a tool outcome goes among the outcomes of its turn in the order the
 * model asked for the calls, whichever finished first.
 */
export function insertInCallOrder(timeline: TimelineEntry[], entry: TimelineEntry): void {
  if (entry.kind !== 'tool') {
    timeline.push(entry);
    return;
  }
  const turnIndex = timeline.findLastIndex((e) => e.kind === 'model');
  const turn = timeline[turnIndex];
  const calls = turn?.kind === 'model' ? turn.calls.map((c) => c.callId) : [];
  const position = calls.indexOf(entry.outcome.callId);
  if (position < 0) {
    timeline.push(entry);
    return;
  }
  for (let i = turnIndex + 1; i < timeline.length; i++) {
    const other = timeline[i];
    if (other?.kind === 'tool' && calls.indexOf(other.outcome.callId) > position) {
      timeline.splice(i, 0, entry);
      return;
    }
  }
  timeline.push(entry);
}

/**
 * Every model call carries the whole transcript, so an execution's history grows with the turns it
 * runs times the transcript it carries. A long transcript gets fewer turns per execution, keeping
 * each history well under Temporal's 50 MB (measured by bench/long-run.ts: a 100-turn run's largest
 * execution is 2.6 MiB at 20 turns each).
 */
const HISTORY_BUDGET_BYTES = 8 * 1024 * 1024;

function segmentTurns(guard: RunGuard, turnsPerRun: number, carriedState: string | undefined): number {
  if (carriedState === undefined) return turnsPerRun;
  const fit = Math.max(1, Math.floor(HISTORY_BUDGET_BYTES / (carriedState.length * 1.5 + 16_384)));
  if (fit >= turnsPerRun) return turnsPerRun;
  return guard.patched(AGENT_PATCHES.historyBudget) ? fit : turnsPerRun;
}

function tighter(agentLimit: number, requested: number | undefined): number {
  return requested === undefined ? agentLimit : Math.max(1, Math.min(agentLimit, requested));
}

/**
 * The run's starting agent, named by the client that started the run. An unknown name fails the run
 * (a plain Error would fail the workflow task instead, retried forever).
 */
function lookup(catalog: AgentCatalog, name: unknown): AgentDefinition {
  const agent = typeof name === 'string' ? catalog.get(name) : undefined;
  if (agent === undefined) {
    const shown = typeof name === 'string' ? JSON.stringify(name) : `of type ${kindOf(name)}`;
    throw ApplicationFailure.nonRetryable(
      `unknown agent ${shown}; known: ${[...catalog.keys()].join(', ')}`,
      'UnknownAgent',
    );
  }
  return agent;
}

/**
 * One agent run: the agents-core Runner drives the conversation, each model call is an activity,
 * each tool call goes through the guard under the identity of the agent that makes it, for the user
 * the run was started for. Long runs continue as new executions carrying the serialized RunState.
 */
export async function runAgent(agents: AgentCatalog, input: AgentRunInput): Promise<AgentRunResult> {
  const start = lookup(agents, input.agent);
  const user: OsoValue = { type: 'User', id: input.onBehalfOf };
  const maxTurns = tighter(start.maxTurns, input.limits?.maxTurns);
  const maxTokens = tighter(start.maxTokens, input.limits?.maxTokens);
  const turnsPerRun = tighter(start.turnsPerRun, input.limits?.turnsPerRun);

  const timeline: TimelineEntry[] = [...(input.resume?.timeline ?? [])];
  const record = (entry: TimelineEntry) => insertInCallOrder(timeline, entry);
  let currentAgent = start.name;

  const ledger = new ModelCallLedger({
    ...(input.scenario ? { scenario: input.scenario } : {}),
    turnsBefore: input.resume?.turns ?? 0,
    tokensBefore: input.resume?.tokens ?? 0,
    maxTokens,
    onCall({ turn, agent, usage, output }) {
      currentAgent = agent;
      let message: string | undefined;
      const calls: Array<{ callId: string; name: string; arguments: string }> = [];
      for (const item of output) {
        if (item.type === 'message' && item.role === 'assistant') {
          const text = item.content.map((part) => ('text' in part ? part.text : '')).join('');
          message = message === undefined ? text : `${message}\n${text}`;
        } else if (item.type === 'function_call') {
          calls.push({ callId: item.callId, name: item.name, arguments: item.arguments });
        }
      }
      record({
        kind: 'model',
        turn,
        agent,
        tokens: usage.totalTokens,
        ...(message ? { message } : {}),
        calls,
      });
    },
  });

  // One guard for the whole run, created before the run's first await so that its approval Update
  // and queries are registered in the run's first activation (loading this module takes microtasks
  // of that activation, nothing more). Each agent calls tools through it under its own
  // identity: records and pending approvals of every agent stay in the run's one list.
  const callerOptions = (agent: AgentDefinition) => ({
    // An agent knows only its own tools: a tool it was not given is an invalid call.
    tools: toolRegistry(agent.tools),
    rules: agent.intent,
    ...(agent.purposeScope ? { purposeScope: agent.purposeScope } : {}),
  });
  const identityOf = (agent: AgentDefinition) => ({
    agent: agentPrincipal(agent),
    onBehalfOf: user,
    purpose: agent.purpose,
    ...(input.requester ? { requester: input.requester } : {}),
    // The user's words, for the tool worker's provenance check (every agent of the run serves them).
    ...(typeof input.input === 'string' ? { request: input.input } : {}),
  });
  const guard = createRunGuard(identityOf(start), callerOptions(start));
  const callers = new Map<string, RunGuard>([[start.name, guard]]);
  const gateFor = (agent: AgentDefinition): RunGuard => {
    let caller = callers.get(agent.name);
    if (caller === undefined) {
      caller = guard.forIdentity(identityOf(agent), callerOptions(agent));
      callers.set(agent.name, caller);
    }
    return caller;
  };
  setHandler(agentRunProgressQuery, () => ({
    agent: start.name,
    currentAgent,
    turns: ledger.turns,
    tokens: ledger.tokens,
    timeline,
  }));

  const entry = buildAgentGraph({
    catalog: agents,
    start: start.name,
    onBehalfOf: user,
    ledger,
    gateFor,
    record,
  });
  const runner = new Runner({
    tracingDisabled: true,
    traceIncludeSensitiveData: false,
    toolNotFoundBehavior: 'return_error_to_model',
    // The calls of one model turn run together (each still through the whole guard); the timeline
    // keeps them in the model's order. Runs recorded before ran them one at a time.
    toolExecution: {
      maxFunctionToolConcurrency: guard.patched(AGENT_PATCHES.parallelToolCalls)
        ? MAX_PARALLEL_TOOL_CALLS
        : 1,
    },
    toolErrorFormatter: ({ kind, toolName, callId }) => {
      if (kind !== 'tool_not_found') return undefined;
      const message = `Tool ${toolName} does not exist for this agent; nothing was executed. Available tools are listed in your tool definitions.`;
      record({ kind: 'unknown_tool', agent: currentAgent, callId, name: toolName, message });
      return message;
    },
  });

  const executions = (input.resume?.executions ?? 0) + 1;
  const finish = (
    status: AgentRunStatus,
    extra: { finalOutput?: string; reason?: string } = {},
  ): AgentRunResult => {
    guard.setStatus(status);
    return {
      status,
      agent: start.name,
      finalAgent: currentAgent,
      onBehalfOf: input.onBehalfOf,
      ...extra,
      turns: ledger.turns,
      tokens: ledger.tokens,
      executions,
      timeline,
    };
  };

  const segmentEnd = Math.min(maxTurns, ledger.turns + segmentTurns(guard, turnsPerRun, input.resume?.state));
  try {
    const resumed = input.resume ? await RunState.fromString(entry, input.resume.state) : undefined;
    const result = await runner.run(entry, resumed ?? input.input, { maxTurns: segmentEnd });
    if (result.interruptions.length > 0) {
      // Guarded tools never ask agents-core for approval; an interruption means something bypassed that.
      return finish('model_error', {
        reason: `unexpected interruption: ${result.interruptions.length} pending`,
      });
    }
    const output = result.finalOutput;
    currentAgent = result.lastAgent?.name ?? currentAgent;
    return finish('completed', {
      ...(output !== undefined
        ? { finalOutput: typeof output === 'string' ? output : JSON.stringify(output) }
        : {}),
    });
  } catch (error) {
    if (error instanceof MaxTurnsExceededError) {
      if (segmentEnd < maxTurns && error.state) {
        record({ kind: 'continued', turns: ledger.turns, tokens: ledger.tokens });
        await continueAsNew<(input: AgentRunInput) => Promise<AgentRunResult>>({
          ...input,
          resume: {
            state: error.state.toString(),
            turns: ledger.turns,
            tokens: ledger.tokens,
            executions,
            timeline,
          },
        });
      }
      return finish('max_turns', { reason: `the run reached its limit of ${maxTurns} model turns` });
    }
    if (error instanceof TokenBudgetExceeded) return finish('token_budget', { reason: error.message });
    if (error instanceof ModelBehaviorError) return finish('model_error', { reason: error.message });
    // The run fails with its cause (e.g. a model that cannot be reached); Temporal Web and
    // `warden audit` must not keep showing it as running.
    if (guard.patched(AGENT_PATCHES.failedStatus)) guard.setStatus('failed');
    throw error;
  }
}
