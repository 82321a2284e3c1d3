import type { AgentCatalog } from '../agents/define-agent.ts';
import type { AgentRunInput, AgentRunResult } from './agent/run-types.ts';

export { agentRunProgressQuery } from './agent/progress-query.ts';
export type { AgentRunInput, AgentRunResult, TimelineEntry } from './agent/run-types.ts';

/**
 * The agent loop and what only it uses (`@openai/agents-core`, the model adapter, the agent graph)
 * are loaded when an agent run starts, not with the workflows module. The sandbox evaluates a
 * workflows module afresh for every run (each run has its own module cache), so a static import
 * would make every run of every workflow type evaluate agents-core, about 2.4 MiB of code, including
 * tool-plan runs that never call a model. `webpackMode: "eager"` keeps the module in the one bundle
 * chunk: the import then resolves in a microtask (no I/O, no timer), within the run's first
 * activation, so the command sequence is the one a static import gave and recorded runs replay.
 */
const loadAgentLoop = () => import(/* webpackMode: "eager" */ './agent/run-agent.ts');

/**
 * One agent run: the agents-core Runner drives the conversation, each model call is an activity,
 * each tool call goes through the guard under the identity of the agent that makes it, for the user
 * the run was started for. Long runs continue as new executions carrying the serialized RunState.
 */
export function createAgentRunWorkflow(
  agents: AgentCatalog,
): (input: AgentRunInput) => Promise<AgentRunResult> {
  return async function agentRunWorkflow(input: AgentRunInput): Promise<AgentRunResult> {
    const { runAgent } = await loadAgentLoop();
    return runAgent(agents, input);
  };
}
