import { type AgentCatalog, agentCatalog, defineAgent, type ToolDefinition } from 'warden/workflow';
import { httpPost, supportCopilot } from '../../../test/support/example-definitions.ts';
import { type Human, withHuman } from '../../harness/absent-human.ts';
import { withoutProvenance } from '../../harness/without-provenance.ts';

const tools: ToolDefinition[] = [...supportCopilot.tools, httpPost];

/**
 * The example's support copilot with its tools, rules and policy, plus `http.post` (the webhook a
 * support desk posts resolutions to), which is also how an injected agent would exfiltrate. With
 * provenance its tools keep the example's labels; without, they are today's tools.
 */
export function supportAgents(provenance: boolean, human: Human = 'absent'): AgentCatalog {
  return agentCatalog([
    defineAgent({
      ...supportCopilot,
      name: 'eval-support-copilot',
      purposeScope: { categories: ['ticket', 'crm', 'http'] },
      tools: tools.map((tool) => withHuman(provenance ? tool : withoutProvenance(tool), human)),
      handoffs: [],
      maxTurns: 16,
      maxTokens: 200_000,
    }),
  ]);
}

/** The agent's tools as declared (the bare baseline ignores every declaration anyway). */
export const supportTools = tools;
