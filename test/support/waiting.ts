import type { WorkflowHandle } from '@temporalio/client';
import type { PendingApproval } from '../../src/guard/types.ts';
import { pendingApprovalsQuery } from '../../src/workflows/guard/definitions.ts';

/** Polls `probe` until it returns a value (state reached through a worker, not a timer). */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Polls the run's query until `count` calls are pending (the pause is durable state, not a timer). */
export async function waitForPending(
  handle: WorkflowHandle,
  count = 1,
  timeoutMs = 30_000,
): Promise<PendingApproval[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pending = await handle.query(pendingApprovalsQuery);
    if (pending.length >= count) return pending;
    if (Date.now() > deadline)
      throw new Error(`expected ${count} pending approvals, found ${pending.length}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
