import { z } from 'zod';
import type { IntentRule } from '../guard/intent/rules.ts';
import type { PurposeScope } from '../guard/types.ts';
import type { AgentProvenance } from '../provenance/types.ts';
import type { ToolDefinition } from '../tools/define-tool.ts';

export interface AgentConfig {
  /** How runs name the agent: `warden run support-copilot …`. */
  name: string;
  /** The agent's own principal in the policy: `Agent:<identity>`. Never a user's identity. */
  identity: string;
  /** What the agent is for, in a sentence; intent validation checks calls against it. */
  purpose: string;
  /** The tools or categories the purpose covers; calls outside are denied (or escalated). */
  purposeScope?: PurposeScope;
  instructions: string;
  /** The OpenAI model name when WARDEN_MODEL is not `scripted`; default WARDEN_MODEL. */
  model?: string;
  /** Every call of these goes through the guard: validation, policy, intent, approval. */
  tools: readonly ToolDefinition[];
  /** Intent rules added to every call of this agent, on top of each tool's own rules. */
  intent?: IntentRule[];
  /** What a tainted sensitive argument of this agent's calls does (escalate or deny); the stricter of agent and tool applies. */
  provenance?: AgentProvenance;
  /** Agents this one may hand the conversation to (by name); each handoff is authorized. */
  handoffs?: string[];
  /** Model calls per run, across continued runs. Default 12. */
  maxTurns?: number;
  /** Tokens per run (input + output, as the model reports them). Default 100,000. */
  maxTokens?: number;
  /** Model calls before the run continues as a new execution, bounding the history. Default 20. */
  turnsPerRun?: number;
}

/** An agent with its defaults filled in. Importable from workflow code: plain data and tool definitions. */
export interface AgentDefinition
  extends Required<Omit<AgentConfig, 'model' | 'purposeScope' | 'provenance'>> {
  model?: string;
  purposeScope?: PurposeScope;
  provenance?: AgentProvenance;
}

const NAME = /^[a-z][a-z0-9-]*$/;
const configSchema = z.object({
  name: z.string().regex(NAME, 'an agent name looks like support-copilot'),
  identity: z.string().regex(/^[a-z][a-z0-9._-]*$/, 'an identity looks like support-bot'),
  purpose: z.string().min(10, 'say what the agent is for, in a sentence'),
  instructions: z.string().min(1),
  handoffs: z.array(z.string().regex(NAME)).default([]),
  maxTurns: z.number().int().min(1).max(200).default(12),
  maxTokens: z.number().int().min(100).default(100_000),
  turnsPerRun: z.number().int().min(1).max(200).default(20),
});

export class AgentDefinitionError extends Error {
  override name = 'AgentDefinitionError';
}

export function defineAgent(config: AgentConfig): AgentDefinition {
  const parsed = configSchema.safeParse(config);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AgentDefinitionError(`agent ${config.name}: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  const names = new Set<string>();
  for (const tool of config.tools) {
    if (names.has(tool.name))
      throw new AgentDefinitionError(`agent ${config.name}: tool ${tool.name} listed twice`);
    names.add(tool.name);
  }
  return {
    ...config,
    ...parsed.data,
    intent: config.intent ?? [],
    tools: [...config.tools],
  };
}

export type AgentCatalog = ReadonlyMap<string, AgentDefinition>;

/** A registry of agents by name; every handoff must name an agent in the same registry. */
export function agentCatalog(agents: readonly AgentDefinition[]): AgentCatalog {
  const catalog = new Map<string, AgentDefinition>();
  for (const agent of agents) {
    if (catalog.has(agent.name)) throw new AgentDefinitionError(`agent ${agent.name} is defined twice`);
    catalog.set(agent.name, agent);
  }
  for (const agent of agents) {
    for (const target of agent.handoffs) {
      if (!catalog.has(target))
        throw new AgentDefinitionError(`agent ${agent.name} hands off to unknown agent ${target}`);
    }
  }
  return catalog;
}
