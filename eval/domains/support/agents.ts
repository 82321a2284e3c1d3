import { agentCatalog, defineAgent } from 'warden/workflow';
import { supportCopilot } from '../../../examples/support-copilot/agents.ts';
import { httpPost } from '../../../examples/support-copilot/tools/http-tools.ts';
import { withAbsentHuman } from '../../harness/absent-human.ts';

/**
 * The example's support copilot with its tools, rules and policy, plus `http.post` (the webhook a
 * support desk posts resolutions to), which is also how an injected agent would exfiltrate.
 */
export const evalSupportCopilot = defineAgent({
  ...supportCopilot,
  name: 'eval-support-copilot',
  purposeScope: { categories: ['ticket', 'crm', 'http'] },
  tools: [...supportCopilot.tools, httpPost].map(withAbsentHuman),
  handoffs: [],
  maxTurns: 16,
  maxTokens: 200_000,
});

export const agents = agentCatalog([evalSupportCopilot]);
