// The support evaluation project's workflows (today's guard): only `warden/workflow` and
// deterministic code from here.
import { createAgentRunWorkflow } from 'warden/workflow';
import { supportAgents } from './agents.ts';

export const agentRunWorkflow = createAgentRunWorkflow(supportAgents(false));
