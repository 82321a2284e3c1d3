/** What the one-line memo of a run is made of; workflows keep these counts as they go. */
export interface RunSummaryInput {
  agent: string;
  user: string;
  status: string;
  toolCalls: number;
  executed: number;
  denied: number;
  pendingApprovals: number;
  lastTool?: string;
}

/**
 * The one-line summary Warden runs put in their memo (`summary`), shown in Temporal Web's run list.
 * Pure and deterministic, so workflow code may call it.
 */
export function runSummary(input: RunSummaryInput): string {
  const parts = [`${input.agent} for ${input.user}: ${input.status}`];
  parts.push(`${input.toolCalls} tool call${input.toolCalls === 1 ? '' : 's'}`);
  if (input.executed) parts.push(`${input.executed} executed`);
  if (input.denied) parts.push(`${input.denied} denied`);
  if (input.pendingApprovals) parts.push(`${input.pendingApprovals} awaiting approval`);
  if (input.lastTool) parts.push(`last: ${input.lastTool}`);
  return parts.join(', ');
}
