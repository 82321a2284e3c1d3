// The workspace evaluation project's workflows with provenance, for the approval pass: the tools
// keep their labels and wait a minute for the scripted approver.
import { createAgentRunWorkflow } from 'warden/workflow';
import { workspaceAgents } from './agents.ts';

export const agentRunWorkflow = createAgentRunWorkflow(workspaceAgents(true, 'approver'));
