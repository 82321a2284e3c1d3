import { ApplicationFailure } from '@temporalio/activity';
import { GUARD_REFUSAL, type RefusalCode } from '../../guard/types.ts';

/** A non-retryable refusal the workflow can read: the code is in the failure's details. */
export function refuse(code: RefusalCode, message: string): never {
  throw ApplicationFailure.create({
    type: GUARD_REFUSAL,
    message: `refused (${code}): ${message}`,
    nonRetryable: true,
    details: [{ code }],
  });
}
