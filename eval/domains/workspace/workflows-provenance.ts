// The workspace evaluation project's workflows with provenance: the tools keep their labels.
import { createAgentRunWorkflow } from 'warden/workflow';
import { workspaceAgents } from './agents.ts';

export const agentRunWorkflow = createAgentRunWorkflow(workspaceAgents(true));
