import type { ToolDefinition, ToolRegistry } from '../../tools/define-tool.ts';

export const DEFAULT_MAX_ARGUMENT_BYTES = 32 * 1024;

export type ParsedArguments =
  | { ok: true; tool: ToolDefinition; args: unknown }
  | { ok: false; tool?: ToolDefinition; errors: string[] };

function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

/**
 * Step a, in the workflow: known tool, bounded size, well-formed JSON, arguments that satisfy the
 * tool's schema. Raw text (from a model) is parsed here; values (from workflow code) are measured as JSON.
 */
export function parseToolArguments(
  tools: ToolRegistry,
  name: string,
  raw: unknown,
  maxBytes = DEFAULT_MAX_ARGUMENT_BYTES,
): ParsedArguments {
  const tool = typeof name === 'string' ? tools.get(name) : undefined;
  if (!tool) {
    return {
      ok: false,
      errors: [`unknown tool ${JSON.stringify(name)}; available: ${[...tools.keys()].join(', ')}`],
    };
  }
  let value: unknown;
  if (typeof raw === 'string') {
    const size = utf8Length(raw);
    if (size > maxBytes)
      return { ok: false, tool, errors: [`arguments are ${size} bytes, more than ${maxBytes}`] };
    try {
      value = raw.trim() === '' ? {} : JSON.parse(raw);
    } catch (error) {
      return {
        ok: false,
        tool,
        errors: [`arguments are not valid JSON (truncated?): ${(error as Error).message}`],
      };
    }
  } else {
    let text: string | undefined;
    try {
      text = JSON.stringify(raw ?? {});
    } catch (error) {
      return { ok: false, tool, errors: [`arguments are not JSON: ${(error as Error).message}`] };
    }
    const size = utf8Length(text ?? '');
    if (size > maxBytes)
      return { ok: false, tool, errors: [`arguments are ${size} bytes, more than ${maxBytes}`] };
    value = JSON.parse(text ?? '{}');
  }
  const parsed = tool.parameters.safeParse(value);
  if (!parsed.success) {
    return {
      ok: false,
      tool,
      errors: parsed.error.issues.map((i) => `${i.path.join('.') || '(arguments)'}: ${i.message}`),
    };
  }
  return { ok: true, tool, args: parsed.data };
}
