import { ApplicationFailure } from '@temporalio/activity';
import { decisionClaim, refusalAnswer } from '../../guard/decision-signature.ts';
import { GUARD_REFUSAL } from '../../guard/types.ts';
import { callingWorkflow } from './calling-workflow.ts';
import type { GuardDependencies } from './dependencies.ts';

interface CallFields {
  callId?: unknown;
  tool?: unknown;
  arguments?: unknown;
  request?: unknown;
}

/**
 * Signs the refusals a zone's tool activity throws, like the decisions it returns: the failure's
 * details carry the zone's signature over the refusal and the call it refuses, so a poller on the
 * zone's queue cannot refuse a call in made-up words. An input that names no call (callId or tool
 * not a string: no call Warden's workflow code sends) is refused unsigned.
 */
export function signingRefusals<I extends CallFields, R>(
  deps: GuardDependencies,
  zone: string,
  activity: (input: I) => Promise<R>,
): (input: I) => Promise<R> {
  return async (input) => {
    try {
      return await activity(input);
    } catch (error) {
      if (!(error instanceof ApplicationFailure) || error.type !== GUARD_REFUSAL) throw error;
      const callId = input?.callId;
      const tool = input?.tool;
      if (typeof callId !== 'string' || typeof tool !== 'string') throw error;
      const code = (error.details?.[0] as { code?: unknown } | undefined)?.code;
      const call = {
        zone,
        ...callingWorkflow(),
        callId,
        tool,
        arguments: input.arguments,
        request: input.request,
      };
      const decisionSignature = deps.zoneKeys
        .signer(zone)
        .signDecision(decisionClaim(call, refusalAnswer(code, error.message)));
      throw ApplicationFailure.create({
        type: GUARD_REFUSAL,
        message: error.message,
        nonRetryable: error.nonRetryable ?? true,
        details: [{ code, decisionSignature }],
      });
    }
  };
}
