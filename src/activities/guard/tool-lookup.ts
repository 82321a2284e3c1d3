import { ApplicationFailure } from '@temporalio/activity';
import type { ToolDefinition, ToolRegistry } from '../../tools/define-tool.ts';

export class UnknownToolError extends Error {
  override name = 'UnknownToolError';
}

export class InvalidArgumentsError extends Error {
  override name = 'InvalidArgumentsError';
}

/** The tool and its re-validated arguments: activities never trust that the workflow validated. */
export function resolveCall(
  tools: ToolRegistry,
  name: string,
  args: unknown,
): { tool: ToolDefinition; args: unknown } {
  const tool = tools.get(name);
  if (!tool) throw new UnknownToolError(`unknown tool ${name}`);
  const parsed = tool.parameters.safeParse(args);
  if (!parsed.success) {
    throw new InvalidArgumentsError(
      `invalid arguments for ${name}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    );
  }
  return { tool, args: parsed.data };
}

/** `resolveCall` for the guard steps before execution: a bad call is a non-retryable input error. */
export function resolveCallOrFail(
  tools: ToolRegistry,
  name: string,
  args: unknown,
): { tool: ToolDefinition; args: unknown } {
  try {
    return resolveCall(tools, name, args);
  } catch (error) {
    throw ApplicationFailure.nonRetryable((error as Error).message, 'GuardInputError');
  }
}
