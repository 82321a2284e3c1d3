import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import { GUARD_REFUSAL } from '../../guard/types.ts';

/** The refusal code of a guard activity's failure, or undefined when it is not a refusal. */
export function refusalCode(error: unknown): string | undefined {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure && cause.type === GUARD_REFUSAL) {
    const detail = cause.details?.[0] as { code?: unknown } | undefined;
    return typeof detail?.code === 'string' ? detail.code : 'refused';
  }
  return undefined;
}

/**
 * The details a guard refusal carries (its code, and the zone's signature when it signed it, with
 * the attempt it signed it in).
 */
export function refusalDetail(error: unknown): {
  code?: unknown;
  decisionSignature?: unknown;
  attempt?: unknown;
} {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  const detail = cause instanceof ApplicationFailure ? cause.details?.[0] : undefined;
  return typeof detail === 'object' && detail !== null ? detail : {};
}

export function failureText(error: unknown): string {
  const cause = error instanceof ActivityFailure && error.cause ? error.cause : error;
  return cause instanceof Error ? cause.message : String(cause);
}

/** A tool output as the decision record shows it: JSON, at most 200 characters. */
export function summarize(output: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(output) ?? 'undefined';
  } catch {
    text = String(output);
  }
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}
