import { Agent, handoff } from '@openai/agents-core';
import { proxyActivities } from '@temporalio/workflow';
import type { AgentActivities } from '../../activities/agent/authorize-handoff.ts';
import type { AgentCatalog, AgentDefinition } from '../../agents/define-agent.ts';
import type { OsoValue } from '../../authz/types.ts';
import type { ToolCallOutcome } from '../../guard/types.ts';
import { ActivityBackedModel, type ModelCallLedger } from './activity-backed-model.ts';
import { guardedFunctionTool, type ToolGate } from './guarded-tools.ts';
import type { TimelineEntry } from './run-types.ts';

const { authorizeHandoff } = proxyActivities<AgentActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 5 },
});

export interface AgentGraphOptions {
  catalog: AgentCatalog;
  start: string;
  onBehalfOf: OsoValue;
  ledger: ModelCallLedger;
  /** The run guard's caller that acts with this agent's identity. */
  gateFor(agent: AgentDefinition): ToolGate;
  record(entry: TimelineEntry): void;
}

export function agentPrincipal(agent: AgentDefinition): OsoValue {
  return { type: 'Agent', id: agent.identity };
}

/**
 * The agents-core agents a run can reach from its start agent. Each agent's tools go through the
 * guard of its own identity; a handoff is offered to the model only once the PDP allows it.
 */
export function buildAgentGraph(options: AgentGraphOptions): Agent {
  const built = new Map<string, Agent>();
  const decisions = new Map<string, Promise<boolean>>();

  const handoffAllowed = (from: AgentDefinition, to: AgentDefinition): Promise<boolean> => {
    const key = `${from.name}->${to.name}`;
    let decision = decisions.get(key);
    if (decision === undefined) {
      decision = authorizeHandoff({
        from: agentPrincipal(from),
        to: agentPrincipal(to),
        onBehalfOf: options.onBehalfOf,
      }).then((d) => {
        options.record({
          kind: 'handoff',
          from: from.name,
          to: to.name,
          allowed: d.allowed,
          reason: d.reason,
        });
        return d.allowed;
      });
      decisions.set(key, decision);
    }
    return decision;
  };

  const build = (name: string): Agent => {
    const existing = built.get(name);
    if (existing) return existing;
    const definition = options.catalog.get(name);
    if (definition === undefined) throw new Error(`unknown agent ${name}`);
    const gate = options.gateFor(definition);
    const onOutcome = (outcome: ToolCallOutcome) => {
      // The run's records hold every agent's calls; a reused call id is refused in a later record.
      const decision = gate
        .records()
        .reverse()
        .find((r) => r.callId === outcome.callId);
      options.record({ kind: 'tool', agent: name, outcome, ...(decision ? { decision } : {}) });
    };
    const agent = new Agent({
      name: definition.name,
      instructions: definition.instructions,
      model: new ActivityBackedModel(definition.name, definition.model, options.ledger),
      tools: definition.tools.map((tool) => guardedFunctionTool(tool, gate, onOutcome)),
    });
    built.set(name, agent);
    agent.handoffs = definition.handoffs.map((targetName) => {
      const target = options.catalog.get(targetName);
      if (target === undefined) throw new Error(`agent ${name} hands off to unknown agent ${targetName}`);
      return handoff(build(targetName), { isEnabled: () => handoffAllowed(definition, target) });
    });
    return agent;
  };

  return build(options.start);
}
