// The workflows the support copilot's workers serve. Temporal bundles this module into the
// workflow sandbox: import only `warden/workflow` and deterministic code from here.
import { createAgentRunWorkflow, createToolPlanWorkflow } from 'warden/workflow';
import { agents } from './agents.ts';
import { demoTools } from './tools/index.ts';

export const agentRunWorkflow = createAgentRunWorkflow(agents);
export const toolPlanWorkflow = createToolPlanWorkflow([...demoTools.values()]);
