import { z } from 'zod';
import type { IntentRule } from './rules.ts';

/**
 * The shape of an intent rule, for rules that arrive as data (a run's input, an activity's input):
 * a rule that does not parse is refused as a whole, never half-applied.
 */
const action = z.enum(['deny', 'escalate']).optional();
const argument = { argument: z.string().min(1).max(200), required: z.boolean().optional() };
const count = z.number().int().nonnegative();

export const intentRuleSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('max_amount'), ...argument, max: z.number(), onExceed: action }),
  z.strictObject({ kind: z.literal('allowed_hosts'), ...argument, hosts: z.array(z.string()) }),
  z.strictObject({
    kind: z.literal('new_external_host'),
    ...argument,
    knownHosts: z.array(z.string()).optional(),
  }),
  z.strictObject({
    kind: z.literal('allowed_values'),
    ...argument,
    values: z.array(z.union([z.string(), z.number(), z.boolean()])),
    onViolation: action,
  }),
  z.strictObject({
    kind: z.literal('max_records_per_run'),
    limit: count,
    requestedArgument: z.string().min(1).max(200).optional(),
    onExceed: action,
  }),
  z.strictObject({
    kind: z.literal('max_calls_per_run'),
    limit: count,
    anyTool: z.boolean().optional(),
    onExceed: action,
  }),
  z.strictObject({
    kind: z.literal('max_calls_per_window'),
    limit: count,
    windowSeconds: z.number().positive().max(86_400),
    onExceed: action,
  }),
]) satisfies z.ZodType<IntentRule, unknown>;
