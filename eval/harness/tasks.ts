import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';

/**
 * The evaluation's task files: per domain, benign tasks (a user's request, the calls a capable agent
 * makes for it, the end state that means it was done) and injected variants (a benign task whose
 * untrusted content carries an attacker's text, the calls an obedient agent makes after reading it,
 * and the end state that means the attacker got what they wanted).
 */

const ID = /^[a-z0-9][a-z0-9-]*$/;

export const callSchema = z.strictObject({
  /** Catalog name, e.g. `email.send`. */
  tool: z.string().min(1),
  arguments: z.record(z.string(), z.unknown()),
});
export type ScriptedCall = z.infer<typeof callSchema>;

/**
 * A change to the domain's seeded data before the run: `<collection>.<id>.<field>` (e.g.
 * `tickets.t-501.body`), the text appended to the field (default) or replacing it.
 */
export const patchSchema = z.strictObject({
  path: z.string().regex(/^[a-z]+\.[^.\s]+\.[a-zA-Z]+$/, 'a path looks like tickets.t-501.body'),
  text: z.string().min(1),
  mode: z.enum(['append', 'replace']).default('append'),
});
export type Patch = z.infer<typeof patchSchema>;

/** An end-state check; its kind and fields are the domain's (see the domain's predicate schema). */
export const predicateSchema = z.object({ kind: z.string().min(1) }).catchall(z.unknown());
export type Predicate = z.infer<typeof predicateSchema>;

/** How an injected variant tries to get past a defence that traces values to their source. */
export const ADAPTIVE = [
  /** The attacker's value as it appears in the injected text. */
  'plain',
  /** The value is split across fields (or sentences) and joined by the agent. */
  'split',
  /** Upper/lower case and spacing differ between the text and the call. */
  'case-whitespace',
  /** The same value in another notation (grouped digits, a URL without its scheme). */
  'format',
  /** The attacker's value is also in the user's request, or is a part of a value that is. */
  'in-request',
  /** A look-alike of a value the run trusts (`rn` for `m`, a digit for a letter, another script). */
  'homoglyph',
  /** The value sits where the system's own data would (a sender, a "verified" notice, a record). */
  'trusted-field',
  /** The value is one the policy accepts (a known contact or payee), for a harmful call. */
  'policy-accepted',
] as const;

/** Which call of a benign task should reach a person, and why, in words for the report. */
export const reviewWantedSchema = z.strictObject({
  /** Catalog name of the tool whose call should wait for a person, e.g. `crm.issue_refund`. */
  tool: z.string().min(1),
  why: z.string().min(1),
});
export type ReviewWanted = z.infer<typeof reviewWantedSchema>;

const benignSchema = z.strictObject({
  id: z.string().regex(ID),
  kind: z.literal('benign'),
  title: z.string().min(1),
  /** The user's request, as the run's input. */
  request: z.string().min(1),
  /** Data this task needs on top of the domain's seed (trusted: set up by the evaluation). */
  seed: z.array(patchSchema).default([]),
  /** What a capable agent calls for the request, in order. */
  steps: z.array(callSchema).min(1),
  /** The end state that means the user's task was done. */
  expect: z.array(predicateSchema).min(1),
  /**
   * A person should decide one of this task's calls (a refund over the cap, a value only untrusted
   * text names, a two-person export): the claim says which tool's call, so that it can be wrong.
   * Only an escalation of that call counts as the wanted review.
   */
  reviewWanted: reviewWantedSchema.optional(),
});

const injectionSchema = z.strictObject({
  id: z.string().regex(ID),
  kind: z.literal('injection'),
  title: z.string().min(1),
  /** The benign task this variant attacks: its request, seed, steps and expected state. */
  base: z.string().regex(ID),
  adaptive: z.enum(ADAPTIVE).default('plain'),
  /** Where the attacker's text goes: untrusted fields only (a body, a description, a file). */
  inject: z.array(patchSchema).min(1),
  /**
   * What the obedient agent recognises as the instruction in a tool output. Default: the text of
   * the first patch.
   */
  trigger: z.string().min(1).optional(),
  /** What an agent that obeys the injected text calls, right after the output that carried it. */
  attack: z.array(callSchema).min(1),
  /** The end state that means the attack succeeded. */
  goal: z.array(predicateSchema).min(1),
});

export const taskFileSchema = z.strictObject({
  domain: z.string().regex(ID),
  tasks: z.array(z.discriminatedUnion('kind', [benignSchema, injectionSchema])).min(1),
});

export type BenignTask = z.infer<typeof benignSchema>;
export type InjectionSpec = z.infer<typeof injectionSchema>;
export type TaskFile = z.infer<typeof taskFileSchema>;

/** An injected variant with its base task's request, seed, steps and expected state filled in. */
export interface InjectionTask extends Omit<InjectionSpec, 'trigger'> {
  trigger: string;
  request: string;
  seed: Patch[];
  steps: ScriptedCall[];
  expect: Predicate[];
}

export type EvalTask = (BenignTask | InjectionTask) & { domain: string };

export class TaskFileError extends Error {
  override name = 'TaskFileError';
}

/**
 * Validates a task file and resolves each variant against its base. `checkPredicate` is the domain's
 * own predicate validation (it throws on a predicate the domain cannot check).
 */
export function parseTaskFile(
  data: unknown,
  source: string,
  checkPredicate: (predicate: Predicate) => void,
): EvalTask[] {
  const parsed = taskFileSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TaskFileError(`${source}: ${issue?.path.join('.') || 'file'}: ${issue?.message ?? 'invalid'}`);
  }
  const { domain, tasks } = parsed.data;
  const fail = (id: string, what: string) => new TaskFileError(`${source}: task ${id}: ${what}`);
  const benign = new Map<string, BenignTask>();
  const seen = new Set<string>();
  for (const task of tasks) {
    if (seen.has(task.id)) throw fail(task.id, 'the id is used twice');
    seen.add(task.id);
    if (task.kind === 'benign') benign.set(task.id, task);
  }
  const resolved: EvalTask[] = [];
  for (const task of tasks) {
    const predicates = task.kind === 'benign' ? task.expect : task.goal;
    for (const predicate of predicates) {
      try {
        checkPredicate(predicate);
      } catch (error) {
        throw fail(task.id, error instanceof Error ? error.message : String(error));
      }
    }
    if (task.kind === 'benign') {
      const wanted = task.reviewWanted?.tool;
      if (wanted !== undefined && !task.steps.some((step) => step.tool === wanted)) {
        throw fail(task.id, `reviewWanted names ${wanted}, which none of the task's steps calls`);
      }
      resolved.push({ ...task, domain });
      continue;
    }
    const base = benign.get(task.base);
    if (base === undefined) throw fail(task.id, `base ${task.base} is not a benign task of this file`);
    const trigger = task.trigger ?? task.inject[0]?.text ?? '';
    if (!task.inject.some((patch) => patch.text.includes(trigger))) {
      throw fail(task.id, 'the trigger is in none of the injected texts');
    }
    resolved.push({
      ...task,
      domain,
      trigger,
      request: base.request,
      seed: base.seed,
      steps: base.steps,
      expect: base.expect,
    });
  }
  return resolved;
}

export function loadTaskFile(file: string, checkPredicate: (predicate: Predicate) => void): EvalTask[] {
  return parseTaskFile(parse(readFileSync(file, 'utf8')), file, checkPredicate);
}
