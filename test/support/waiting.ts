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
export { waitForPendingApprovals as waitForPending } from '../../src/testing.ts';
