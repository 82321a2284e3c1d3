/**
 * Function names the OpenAI APIs accept are `^[a-zA-Z0-9_-]{1,64}$`, so a tool named
 * `crm.issue_refund` is shown to the model as `crm__issue_refund`. Pure: used by workflow code too.
 */
export function modelToolName(toolName: string): string {
  return toolName
    .replace(/\./g, '__')
    .replace(/[^a-zA-Z0-9_-]/g, '_')
    .slice(0, 64);
}
