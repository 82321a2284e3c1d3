import type { Authorizer, OsoValue } from './types.ts';

/**
 * Every actor of `actorType` known to the fact store that may perform `action` on `resource` on its
 * own authority, e.g. the candidate approvers of a tool call. Works the same on both backends.
 */
export async function authorizedActors(
  authorizer: Authorizer,
  actorType: string,
  action: string,
  resource: OsoValue,
): Promise<OsoValue[]> {
  const candidates = await authorizer.knownValues(actorType);
  const decisions = await Promise.all(
    candidates.map((actor) => authorizer.authorize({ actor, action, resource })),
  );
  return candidates.filter((_, i) => decisions[i]?.allowed === true);
}
