import type { AuthzDecision, AuthzRequest, ContextFact } from './types.ts';
import { factKey } from './values.ts';

/**
 * Decisions keyed by (actor, action, resource, context, policy version, facts version): a policy
 * or fact change yields new keys, so a stale decision can never be served. Bounded, LRU.
 */
export class DecisionCache {
  private readonly entries = new Map<string, AuthzDecision>();
  constructor(private readonly maxEntries = 10_000) {}

  static key(req: AuthzRequest, context: ContextFact[], policy: string, facts: string): string {
    return [
      req.actor.type,
      req.actor.id,
      req.action,
      req.resource.type,
      req.resource.id,
      context.map((f) => factKey(f)).join('|'),
      policy,
      facts,
    ].join('\u0001');
  }

  get(key: string): AuthzDecision | undefined {
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }

  set(key: string, decision: AuthzDecision): void {
    this.entries.set(key, decision);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}
