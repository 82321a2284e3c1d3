import { type AgentOutputItem, type Tool, tool } from '@openai/agents-core';
import { z } from 'zod';
import type { DecisionRecord, ToolCallOutcome, ToolCallRequest } from '../../guard/types.ts';
import { modelToolName } from '../../models/tool-names.ts';
import type { ToolDefinition } from '../../tools/define-tool.ts';

/** The part of the run guard the agent loop uses: every tool call goes through `callTool`. */
export interface ToolGate {
  callTool(request: ToolCallRequest): Promise<ToolCallOutcome>;
  records(): DecisionRecord[];
}

/** What the model reads back: the outcome without bookkeeping, refusals with their reason. */
export function outcomeForModel(outcome: ToolCallOutcome): string {
  const { callId: _callId, ...visible } = outcome;
  return JSON.stringify(visible);
}

// agents-core types non-strict schemas as open objects; ours may be closed (`additionalProperties:
// false`) and are sent to the model as they are.
type ToolParameters = {
  type: 'object';
  properties: Record<string, never>;
  required: never[];
  additionalProperties: true;
};

function parametersSchema(definition: ToolDefinition): ToolParameters {
  // `io: 'input'` keeps fields with defaults optional, as the model may omit them.
  const { $schema: _schema, ...schema } = z.toJSONSchema(definition.parameters, {
    io: 'input',
    unrepresentable: 'any',
  });
  return schema as unknown as ToolParameters;
}

/**
 * agents-core parses tool arguments before calling a tool and answers malformed JSON itself, so the
 * guard would never see (nor record) it. The model wrapper therefore re-encodes unparseable
 * arguments as `{"<key>": "<raw text>"}`; the tool unwraps it and hands the raw text to the guard.
 */
export const RAW_ARGUMENTS_KEY = '__warden_unparsed_arguments';

export function encodeMalformedArguments(items: AgentOutputItem[]): AgentOutputItem[] {
  return items.map((item) => {
    if (item.type !== 'function_call') return item;
    try {
      JSON.parse(item.arguments);
      return item;
    } catch {
      return { ...item, arguments: JSON.stringify({ [RAW_ARGUMENTS_KEY]: item.arguments }) };
    }
  });
}

function rawArguments(parsed: unknown, rawText: string | undefined): string | unknown {
  if (typeof parsed === 'object' && parsed !== null && Object.keys(parsed).length === 1) {
    const raw = (parsed as Record<string, unknown>)[RAW_ARGUMENTS_KEY];
    if (typeof raw === 'string') return raw;
  }
  return rawText ?? parsed;
}

/**
 * The agents-core view of a guarded tool: the model's argument text goes to the guard as written,
 * so validation, authorization, intent and approval all see exactly what the model asked. No other
 * path runs the tool, and agents-core's own approval flow stays off (the guard decides).
 */
export function guardedFunctionTool(
  definition: ToolDefinition,
  gate: ToolGate,
  onOutcome: (outcome: ToolCallOutcome) => void,
): Tool {
  return tool({
    name: modelToolName(definition.name),
    description: definition.description,
    parameters: parametersSchema(definition),
    strict: false,
    needsApproval: false,
    async execute(parsed, _context, details) {
      // The model's call id goes to the guard as the model wrote it: the guard checks its type, so
      // a malformed one is an invalid call on the record rather than an id coerced here.
      const callId: unknown = details?.toolCall?.callId;
      let outcome: ToolCallOutcome;
      try {
        outcome = await gate.callTool({
          tool: definition.name,
          arguments: rawArguments(parsed, details?.toolCall?.arguments),
          ...(callId !== undefined && callId !== '' ? { callId: callId as string } : {}),
        });
      } catch (error) {
        // The guard refuses by returning outcomes; an exception is a fault, reported to the model
        // as a failure rather than worked around.
        outcome = {
          callId: typeof callId === 'string' ? callId : '',
          tool: definition.name,
          status: 'failed',
          reason: `the guard could not process the call: ${error instanceof Error ? error.message : String(error)}`,
        };
      }
      onOutcome(outcome);
      return outcomeForModel(outcome);
    },
  });
}
