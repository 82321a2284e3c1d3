import { msToNumber } from '@temporalio/common';
import type { Duration } from '../../guard/types.ts';

/**
 * A tool-call request comes from a model or a client, so every field is checked for its type before
 * anything reads it: nothing here throws, whatever the value (arrays, objects with `toString`,
 * numbers, bigints, cycles). A request that fails is an `invalid` call, recorded like any other.
 */

export const MAX_TOOL_NAME_LENGTH = 128;
export const MAX_CALL_ID_LENGTH = 128;

/** Printable ASCII: a call id ends up in idempotency keys, search attributes and approval links. */
const CALL_ID = /^[\x21-\x7e]+$/;

export type CheckedRequest =
  | { ok: true; tool: string; callId?: string; arguments: unknown }
  | {
      ok: false;
      /** The tool name when it is one, else a label such as `(array)`: what the record shows. */
      tool: string;
      callId?: string;
      errors: string[];
    };

/** What a value is, for a message, without calling anything on it (no `toString`, no getters). */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function own(record: object, key: string): unknown {
  return Object.hasOwn(record, key) ? (record as Record<string, unknown>)[key] : undefined;
}

export function checkCallRequest(request: unknown): CheckedRequest {
  if (typeof request !== 'object' || request === null || Array.isArray(request)) {
    return {
      ok: false,
      tool: `(${kindOf(request)})`,
      errors: [`a tool call is an object, not ${kindOf(request)}`],
    };
  }
  const errors: string[] = [];
  const tool = own(request, 'tool');
  const callId = own(request, 'callId');
  let toolName: string;
  if (typeof tool !== 'string') {
    toolName = `(${kindOf(tool)})`;
    errors.push(`the tool name is a string, not ${kindOf(tool)}`);
  } else if (tool.length === 0 || tool.length > MAX_TOOL_NAME_LENGTH) {
    toolName = tool.slice(0, MAX_TOOL_NAME_LENGTH);
    errors.push(`the tool name has 1 to ${MAX_TOOL_NAME_LENGTH} characters`);
  } else {
    toolName = tool;
  }
  let checkedId: string | undefined;
  if (callId !== undefined) {
    if (typeof callId !== 'string') errors.push(`the call id is a string, not ${kindOf(callId)}`);
    else if (callId.length > MAX_CALL_ID_LENGTH || !CALL_ID.test(callId)) {
      errors.push(`the call id has 1 to ${MAX_CALL_ID_LENGTH} printable ASCII characters`);
    } else checkedId = callId;
  }
  if (errors.length > 0) {
    return { ok: false, tool: toolName, ...(checkedId !== undefined ? { callId: checkedId } : {}), errors };
  }
  return {
    ok: true,
    tool: toolName,
    ...(checkedId !== undefined ? { callId: checkedId } : {}),
    arguments: own(request, 'arguments'),
  };
}

/**
 * The run's approval timeout for a tool, from `approvalTimeouts` as the run was started with it:
 * undefined when none is set, a problem when the value is not a positive duration.
 */
export function runApprovalTimeout(timeouts: unknown, tool: string): { ms?: number; problem?: string } {
  if (timeouts === undefined) return {};
  if (typeof timeouts !== 'object' || timeouts === null || Array.isArray(timeouts)) {
    return { problem: `approvalTimeouts is an object, not ${kindOf(timeouts)}` };
  }
  const value = own(timeouts, tool);
  if (value === undefined) return {};
  let ms: number | undefined;
  if (typeof value === 'number' || typeof value === 'string') {
    try {
      ms = msToNumber(value as Duration);
    } catch {
      ms = undefined;
    }
  }
  if (ms === undefined || !Number.isFinite(ms) || ms <= 0) {
    return { problem: `approvalTimeouts[${JSON.stringify(tool)}] is not a positive duration` };
  }
  return { ms };
}
