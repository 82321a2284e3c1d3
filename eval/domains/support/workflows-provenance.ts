// The support evaluation project's workflows with provenance: the tools keep their labels.
import { createAgentRunWorkflow } from 'warden/workflow';
import { supportAgents } from './agents.ts';

export const agentRunWorkflow = createAgentRunWorkflow(supportAgents(true));
