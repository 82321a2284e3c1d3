/**
 * Call timestamps for per-window volume rules. It lives in the worker process that runs the intent
 * activity: counts are per process and reset on restart, so with several workers a limit holds per
 * worker. Deployments that need a global count put a shared store behind this interface.
 *
 * The intent activity reserves a call when it allows it; the execute activity releases the
 * reservation when its re-check refuses before the tool runs, so the window counts what ran. The
 * release reaches the reservation only when both activities share this store (one process, as in
 * `warden dev`); elsewhere it finds nothing and the refused call keeps counting, which is stricter.
 */
export interface CallWindowStore {
  /** Calls reserved under `key` in the last `windowMs` before `now`. */
  count(key: string, windowMs: number, now: number): number;
  /** Reserves one call; reserving the same id again (a retried or repeated decision) moves it to `now`. */
  reserve(key: string, reservationId: string, now: number): void;
  /** Gives back a reservation whose call never ran; an unknown id is ignored. */
  release(reservationId: string): void;
}

/** One reservation per call of a run: the same call decided twice holds one place in the window. */
export function callReservationId(workflowId: string, runId: string, callId: string): string {
  return JSON.stringify([workflowId, runId, callId]);
}

interface Reservation {
  id: string;
  at: number;
}

export class InMemoryCallWindowStore implements CallWindowStore {
  private readonly calls = new Map<string, Reservation[]>();
  private readonly keyOf = new Map<string, string>();
  /** Older entries are dropped; no window rule may be longer. */
  constructor(private readonly horizonMs = 24 * 3_600_000) {}

  count(key: string, windowMs: number, now: number): number {
    return (this.calls.get(key) ?? []).filter((r) => r.at > now - windowMs && r.at <= now).length;
  }

  reserve(key: string, reservationId: string, now: number): void {
    this.release(reservationId);
    const kept: Reservation[] = [];
    for (const r of this.calls.get(key) ?? []) {
      if (r.at > now - this.horizonMs) kept.push(r);
      else this.keyOf.delete(r.id);
    }
    kept.push({ id: reservationId, at: now });
    this.calls.set(key, kept);
    this.keyOf.set(reservationId, key);
  }

  release(reservationId: string): void {
    const key = this.keyOf.get(reservationId);
    if (key === undefined) return;
    this.keyOf.delete(reservationId);
    const kept = (this.calls.get(key) ?? []).filter((r) => r.id !== reservationId);
    if (kept.length > 0) this.calls.set(key, kept);
    else this.calls.delete(key);
  }
}
