import type { ZonePublicKeys } from '../../guard/tool-result-signature.ts';
import type { GuardDependencies } from './dependencies.ts';

/**
 * The public keys of every trust zone, from the main worker's configuration. The run calls this as
 * a local activity: it runs in the worker that runs the workflow, never on a task queue, and its
 * marker in the history keeps replays deterministic.
 */
export function zoneResultKeysActivity(deps: GuardDependencies, zones: readonly string[]) {
  const keys = deps.zoneKeys.publicKeys(zones);
  return async function zoneResultKeys(): Promise<ZonePublicKeys> {
    return keys;
  };
}
