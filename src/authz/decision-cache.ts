import { LruCache } from '../guard/lru-cache.ts';
import type { AuthzDecision, AuthzRequest, ContextFact } from './types.ts';
import { factKey } from './values.ts';

/**
 * Decisions keyed by (actor, action, resource, context, policy version, facts version): a policy
 * or fact change yields new keys, so a stale decision can never be served. Bounded, LRU.
 */
export class DecisionCache extends LruCache<AuthzDecision> {
  constructor(maxEntries = 10_000) {
    super(maxEntries);
  }

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
}
