import { createAgentRunWorkflow } from 'warden/workflow';
import { agents } from './agents.ts';

export const agentRunWorkflow = createAgentRunWorkflow(agents);
