// The workspace evaluation project's workflows (today's guard): only `warden/workflow` and
// deterministic code from here.
import { createAgentRunWorkflow } from 'warden/workflow';
import { workspaceAgents } from './agents.ts';

export const agentRunWorkflow = createAgentRunWorkflow(workspaceAgents(false));
