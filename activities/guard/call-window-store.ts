/**
 * Call timestamps for per-window volume rules. It lives in the worker process that runs the intent
 * activity: counts are per process and reset on restart, so with several workers a limit holds per
 * worker. Deployments that need a global count put a shared store behind this interface.
 */
export interface CallWindowStore {
  /** Calls recorded under `key` in the last `windowMs` before `now`. */
  count(key: string, windowMs: number, now: number): number;
  record(key: string, now: number): void;
}

export class InMemoryCallWindowStore implements CallWindowStore {
  private readonly calls = new Map<string, number[]>();
  /** Older entries are dropped; no window rule may be longer. */
  constructor(private readonly horizonMs = 24 * 3_600_000) {}

  count(key: string, windowMs: number, now: number): number {
    return (this.calls.get(key) ?? []).filter((t) => t > now - windowMs && t <= now).length;
  }

  record(key: string, now: number): void {
    const kept = (this.calls.get(key) ?? []).filter((t) => t > now - this.horizonMs);
    kept.push(now);
    this.calls.set(key, kept);
  }
}
