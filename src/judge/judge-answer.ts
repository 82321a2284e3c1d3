import type { JsonSchemaDefinition } from '@openai/agents-core';
import { z } from 'zod';
import type { Verdict } from '../guard/intent/rules.ts';

/**
 * The only answer a judge may give: exactly these two fields. The same schema is sent to the
 * provider as a strict structured-output format and checked on what comes back; a provider that
 * ignores the format gets its answer refused, never interpreted.
 */
const answerSchema = z.strictObject({
  verdict: z
    .enum(['allow', 'escalate', 'deny'])
    .describe(
      'allow: the call serves the purpose; escalate: a person should look; deny: it works against it',
    ),
  reason: z.string().describe('one sentence a reviewer can check'),
});

/** Long enough for a sentence or two; the record is an audit line, not an essay. */
const MAX_REASON = 500;

export interface JudgeAnswer {
  verdict: Verdict;
  reason: string;
}

function strictFormat(): JsonSchemaDefinition {
  const { $schema: _schema, ...schema } = z.toJSONSchema(answerSchema, { target: 'draft-7' });
  return {
    type: 'json_schema',
    name: 'warden_judge_verdict',
    strict: true,
    schema: schema as JsonSchemaDefinition['schema'],
  };
}

/** The structured-output format the provider is asked to follow (OpenAI strict JSON schema). */
export const JUDGE_OUTPUT_FORMAT: JsonSchemaDefinition = strictFormat();

export class MalformedJudgeAnswerError extends Error {
  override name = 'MalformedJudgeAnswerError';
}

/**
 * The judge's text as a verdict, or a `MalformedJudgeAnswerError`: JSON with exactly `verdict` and
 * `reason` and nothing around it. No prose, no code fence, no "best effort" extraction: an answer
 * that is not the contract is no answer.
 */
export function parseJudgeAnswer(text: string): JudgeAnswer {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new MalformedJudgeAnswerError(`the answer is not JSON (${text.length} characters)`);
  }
  const parsed = answerSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new MalformedJudgeAnswerError(
      `the answer does not match the verdict schema: ${issue?.path.join('.') || '(answer)'}: ${issue?.message}`,
    );
  }
  const reason = parsed.data.reason.trim();
  if (reason === '') throw new MalformedJudgeAnswerError('the answer gives no reason');
  return {
    verdict: parsed.data.verdict,
    reason: reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON)}…` : reason,
  };
}
