import type { CallActors } from './record-checks.ts';
import type { Authorizer, OsoValue, RecordFilter } from './types.ts';

/**
 * Which of `records` both the user (on her own authority) and the agent acting for her may perform
 * `action` on, by one batch decision each. A record without a resource (`undefined`) is never kept.
 * The summary counts; it never names a record.
 */
export async function filterRecords(
  authorizer: Authorizer,
  who: CallActors,
  action: string,
  resourceType: string,
  records: ReadonlyArray<OsoValue | undefined>,
): Promise<{ keep: boolean[]; summary: RecordFilter }> {
  const startedAt = performance.now();
  const candidates = records.filter((r): r is OsoValue => r !== undefined);
  const [user, agent] = await Promise.all([
    authorizer.authorizeBatch({ actor: who.onBehalfOf, action, resources: candidates }),
    authorizer.authorizeBatch({
      actor: who.agent,
      onBehalfOf: who.onBehalfOf,
      action,
      resources: candidates,
    }),
  ]);
  let next = 0;
  const keep = records.map((r) => {
    if (r === undefined) return false;
    const i = next++;
    return user.allowed[i] === true && agent.allowed[i] === true;
  });
  const summary: RecordFilter = {
    action,
    resourceType,
    checked: records.length,
    removed: keep.filter((k) => !k).length,
    engine: user.engine,
    policyVersion: user.policyVersion,
    factsVersion: user.factsVersion,
    durationMs: Math.round((performance.now() - startedAt) * 1000) / 1000,
  };
  const error = user.error ?? agent.error;
  if (error !== undefined) summary.error = error;
  return { keep, summary };
}
