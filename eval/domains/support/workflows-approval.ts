// The support evaluation project's workflows with provenance, for the approval pass: the tools keep
// their labels and wait a minute for the scripted approver.
import { createAgentRunWorkflow } from 'warden/workflow';
import { supportAgents } from './agents.ts';

export const agentRunWorkflow = createAgentRunWorkflow(supportAgents(true, 'approver'));
