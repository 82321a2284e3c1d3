import { ApplicationFailure, activityInfo, CancelledFailure } from '@temporalio/activity';
import { decisionClaim, failureAnswer, refusalAnswer } from '../../guard/decision-signature.ts';
import { GUARD_REFUSAL } from '../../guard/types.ts';
import { callingWorkflow } from './calling-workflow.ts';
import type { GuardDependencies } from './dependencies.ts';

interface CallFields {
  callId?: unknown;
  tool?: unknown;
  arguments?: unknown;
  request?: unknown;
  round?: unknown;
}

/** What a thrown value fails the attempt with: Temporal's own type and message for it. */
function failureOf(error: unknown): { type: string; message: string; nonRetryable: boolean } {
  if (error instanceof ApplicationFailure) {
    return { type: error.type ?? 'Error', message: error.message, nonRetryable: error.nonRetryable ?? false };
  }
  if (error instanceof Error) return { type: error.name, message: error.message, nonRetryable: false };
  return { type: 'Error', message: String(error), nonRetryable: false };
}

/**
 * Signs every failure a zone's tool activity throws, like the decisions it returns: a refusal, and a
 * failure of the tool itself (it threw, a service it needs is down). The failure's details carry the
 * zone's signature over its words and the call they are about, so a poller on the zone's queue
 * cannot fail or refuse a call in made-up words that the audit would show. Each attempt signs its
 * own failure; Temporal retries a retryable one as before (its type and retryability are kept). An
 * input that names no call (callId or tool not a string: no call Warden's workflow code sends)
 * fails unsigned, and a cancellation is the server's, passed on as it is.
 */
export function signingFailures<I extends CallFields, R>(
  deps: GuardDependencies,
  zone: string,
  activity: (input: I) => Promise<R>,
): (input: I) => Promise<R> {
  return async (input) => {
    try {
      return await activity(input);
    } catch (error) {
      if (error instanceof CancelledFailure) throw error;
      const callId = input?.callId;
      const tool = input?.tool;
      if (typeof callId !== 'string' || typeof tool !== 'string') throw error;
      // A run that counts rounds gets each failure bound to its round and to the activity execution
      // and attempt it is of (from the server's task, not the input): another round's or another
      // activity's genuine failure, replayed, does not verify.
      const round = typeof input.round === 'number' ? input.round : undefined;
      const failedAttempt =
        round === undefined
          ? undefined
          : { activityId: activityInfo().activityId, attempt: activityInfo().attempt };
      const call = {
        zone,
        ...callingWorkflow(),
        callId,
        tool,
        arguments: input.arguments,
        request: input.request,
        ...(round !== undefined ? { round, failedAttempt } : {}),
      };
      const sign = (answer: unknown) => deps.zoneKeys.signer(zone).signDecision(decisionClaim(call, answer));
      const attempt = failedAttempt === undefined ? {} : { attempt: failedAttempt.attempt };
      if (error instanceof ApplicationFailure && error.type === GUARD_REFUSAL) {
        const code = (error.details?.[0] as { code?: unknown } | undefined)?.code;
        throw ApplicationFailure.create({
          type: GUARD_REFUSAL,
          message: error.message,
          nonRetryable: error.nonRetryable ?? true,
          details: [{ code, decisionSignature: sign(refusalAnswer(code, error.message)), ...attempt }],
        });
      }
      const { type, message, nonRetryable } = failureOf(error);
      // No cause: the audit reads a failure's innermost message, and only these words are signed.
      throw ApplicationFailure.create({
        type,
        message,
        nonRetryable,
        details: [{ decisionSignature: sign(failureAnswer(type, message)), ...attempt }],
        ...(error instanceof ApplicationFailure && error.nextRetryDelay !== undefined
          ? { nextRetryDelay: error.nextRetryDelay }
          : {}),
      });
    }
  };
}
