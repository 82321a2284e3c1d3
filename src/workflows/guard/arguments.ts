import type { ToolDefinition, ToolRegistry } from '../../tools/define-tool.ts';

export const DEFAULT_MAX_ARGUMENT_BYTES = 32 * 1024;

export type ParsedArguments =
  | { ok: true; tool: ToolDefinition; args: unknown }
  | { ok: false; tool?: ToolDefinition; errors: string[] };

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : 'unreadable value';
}

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
        errors: [`arguments are not valid JSON (truncated?): ${errorMessage(error)}`],
      };
    }
  } else {
    let text: string | undefined;
    try {
      text = JSON.stringify(raw ?? {});
    } catch (error) {
      // Bigints, cycles, nesting deeper than the stack.
      return { ok: false, tool, errors: [`arguments are not JSON: ${errorMessage(error)}`] };
    }
    // A function or a symbol has no JSON form: arguments never default to `{}` for them.
    if (text === undefined) return { ok: false, tool, errors: [`arguments are not JSON (${typeof raw})`] };
    const size = utf8Length(text);
    if (size > maxBytes)
      return { ok: false, tool, errors: [`arguments are ${size} bytes, more than ${maxBytes}`] };
    value = JSON.parse(text);
  }
  let parsed: ReturnType<typeof tool.parameters.safeParse>;
  try {
    parsed = tool.parameters.safeParse(value);
  } catch (error) {
    // A refinement or transform of the tool's own schema threw: the call is refused, not the run.
    return { ok: false, tool, errors: [`the arguments could not be checked: ${errorMessage(error)}`] };
  }
  if (!parsed.success) {
    return {
      ok: false,
      tool,
      errors: parsed.error.issues.map((i) => `${i.path.join('.') || '(arguments)'}: ${i.message}`),
    };
  }
  return { ok: true, tool, args: parsed.data };
}
