import { z } from 'zod';

/**
 * A scenario scripts what the model says in one run, turn by turn: the demo and the tests use it
 * to behave exactly like a given model would, including a prompt-injected one.
 */
const toolCall = z
  .object({
    /** The tool's catalog name, e.g. `crm.issue_refund` (shown to the model as `crm__issue_refund`). */
    tool: z.string().min(1),
    /** Arguments as an object, sent as JSON text. */
    arguments: z.record(z.string(), z.unknown()).optional(),
    /** Arguments as raw text, sent verbatim: how a scenario emits malformed JSON. */
    rawArguments: z.string().optional(),
  })
  .strict()
  .refine((call) => call.arguments === undefined || call.rawArguments === undefined, {
    message: 'give either arguments or rawArguments, not both',
  });

const turn = z
  .object({
    /** Text the model says in this turn (the final answer when the turn has no calls). */
    message: z.string().min(1).optional(),
    calls: z.array(toolCall).min(1).optional(),
    /** Hand the conversation to another agent (by name). */
    handoff: z.string().min(1).optional(),
  })
  .strict()
  .refine((t) => t.message !== undefined || t.calls !== undefined || t.handoff !== undefined, {
    message: 'a turn needs a message, calls or a handoff',
  });

export const scenarioSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lowercase letters, digits and dashes'),
    title: z.string().min(1),
    description: z.string().min(1),
    /** The agent this scenario is written for and the user it is started for. */
    agent: z.string().min(1),
    onBehalfOf: z.string().min(1).default('alice'),
    /** Marks a scenario that plays a prompt-injected or otherwise hostile model. */
    adversarial: z.boolean().default(false),
    input: z.string().min(1),
    turns: z.array(turn).min(1),
  })
  .strict();

export type Scenario = z.infer<typeof scenarioSchema>;
export type ScenarioTurn = Scenario['turns'][number];
export type ScenarioToolCall = NonNullable<ScenarioTurn['calls']>[number];

export class ScenarioError extends Error {
  override name = 'ScenarioError';
}

/** Validates parsed YAML; the message names the file and the first problem. */
export function parseScenario(data: unknown, source: string): Scenario {
  const parsed = scenarioSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'scenario';
    throw new ScenarioError(`${source}: ${where}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}
