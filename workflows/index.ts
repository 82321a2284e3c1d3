// Every workflow type the Warden worker serves. This module is the entry of the sandboxed bundle:
// import only deterministic code from here.

export { agentRunWorkflow } from './agent-run.ts';
export { smokeWorkflow } from './smoke.ts';
export { toolPlanWorkflow } from './tool-plan.ts';
