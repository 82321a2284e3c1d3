import type { ToolDefinition, ToolRegistry } from '../../tools/define-tool.ts';
import { DEFAULT_MAX_ARGUMENT_BYTES, parseToolArguments } from './arguments.ts';

/**
 * One call as the workflow resolved it, once: the registry's tool and its arguments parsed,
 * bounded and validated by the tool's schema. The record, the tool worker's input, the approval
 * wait and the result's signature check all read this one value; nothing parses the call again.
 * The tool worker resolves the call again itself from what it receives: this value only advises.
 */
export interface ResolvedCall {
  callId: string;
  tool: ToolDefinition;
  /** The validated arguments: what the record shows and the tool worker receives. */
  args: unknown;
}

export type Resolution =
  | { ok: true; call: ResolvedCall }
  | { ok: false; tool?: ToolDefinition; errors: string[] };

/** Resolves a checked request's tool and arguments against the caller's registry. */
export function resolveCall(
  tools: ToolRegistry,
  callId: string,
  toolName: string,
  raw: unknown,
  maxBytes = DEFAULT_MAX_ARGUMENT_BYTES,
): Resolution {
  const parsed = parseToolArguments(tools, toolName, raw, maxBytes);
  if (!parsed.ok) return parsed;
  return { ok: true, call: { callId, tool: parsed.tool, args: parsed.args } };
}
