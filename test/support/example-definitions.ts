/**
 * The example's agent and tool definitions, safe in Temporal's workflow sandbox (they import only
 * `warden/workflow` and zod): what the evaluation's support domain builds its agent from.
 */
export { supportCopilot } from '../../examples/support-copilot/agents.ts';
export { httpPost } from '../../examples/support-copilot/tools/http-tools.ts';
