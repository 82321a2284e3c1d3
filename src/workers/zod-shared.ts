/**
 * zod, evaluated once per worker in the sandbox's preload (sandbox-shared.ts) instead of once per
 * run: a run's own copy was most of its module evaluation (about 6 of 7.5 ms, paid again by every
 * replay of an evicted run) and half of a cached run's heap. Each run still makes its own schemas.
 *
 * What the SDK freezes after the preload must never be written by a run. zod writes three things
 * after its import, all prepared here while they can still be written:
 * - its global config: the default locale and the memoizer, which it sets on first use;
 * - its lazily computed answer to whether code generation is allowed;
 * - `lastIndex` of its exported patterns (`z.email()`, `z.uuid()`, ...), reset before each check.
 *   A frozen pattern cannot take that write, so the namespace holding them is frozen here, by
 *   hand: the SDK's deep freeze stops at an object that is already frozen and leaves the patterns
 *   writable. None has the global or sticky flag, so `lastIndex` never changes what they match.
 *   What else could change a pattern in place, `RegExp.prototype.compile` (a legacy method, Annex B
 *   of the standard), is removed from the sandbox, so one run cannot rewrite another's checks.
 *
 * The consequence for workflow code: `z.config()` throws there (the config is shared and frozen);
 * tool workers, where arguments are enforced, have their own zod.
 */
import { z } from 'zod';

z.config(z.locales.en());
z.config({ memoizer: z.core.memoizer() });
void z.core.util.allowsEval.value;
Object.freeze(z.core.regexes);
// The only in-place mutation of a pattern besides lastIndex; removed before the SDK freezes RegExp.
delete (RegExp.prototype as { compile?: unknown }).compile;

export const sharedZod = z;
