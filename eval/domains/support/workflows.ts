// The support evaluation project's workflows: import only `warden/workflow` and deterministic code.
import { createAgentRunWorkflow } from 'warden/workflow';
import { agents } from './agents.ts';

export const agentRunWorkflow = createAgentRunWorkflow(agents);
