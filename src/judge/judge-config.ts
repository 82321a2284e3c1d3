import { msToNumber } from '@temporalio/common';
import { z } from 'zod';
import type { Duration } from '../guard/types.ts';

const verdict = z.enum(['allow', 'escalate', 'deny']);

/**
 * One answer of the scripted judge: a verdict, or one of the ways a real provider fails, so that
 * offline runs and tests exercise the same parsing, timeout and fail-closed paths as a model.
 */
const scriptedAnswer = z.union([
  z.strictObject({ verdict, reason: z.string().min(1) }),
  /** Answers this text verbatim: how a script plays a model that breaks the JSON contract. */
  z.strictObject({ raw: z.string() }),
  /** The provider fails with this message (an HTTP 500, a refused connection). */
  z.strictObject({ fail: z.string().min(1) }),
  /** Never answers: the judge's timeout decides. */
  z.strictObject({ hang: z.literal(true) }),
]);

const scriptedRule = z.strictObject({
  /** The tool's exact name; any tool when absent. */
  tool: z.string().min(1).optional(),
  /** Matches when a string anywhere in the arguments contains this text (case-insensitive). */
  argumentContains: z.string().min(1).optional(),
  answer: scriptedAnswer,
});

const scriptedConfig = z.strictObject({
  /** The first rule that matches the call answers. */
  rules: z.array(scriptedRule).default([]),
  /** Answers in order, one per question no rule matched. */
  script: z.array(scriptedAnswer).default([]),
  /** When no rule matches and the script is used up. Default: allow. */
  otherwise: scriptedAnswer.default({ verdict: 'allow', reason: 'no scripted rule objects' }),
});

const duration = z.union([z.number().int().positive(), z.string().min(1)]);

/** The longest a judge may take: the tool activity (2 minutes) must still have time to run the tool. */
export const MAX_JUDGE_TIMEOUT_MS = 60_000;
export const DEFAULT_JUDGE_TIMEOUT_MS = 10_000;

const judgeConfigSchema = z.strictObject({
  model: z.string().min(1),
  endpoint: z.url({ protocol: /^https?$/ }).optional(),
  apiKeyEnv: z
    .string()
    .regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name')
    .optional(),
  api: z.enum(['responses', 'chat']).optional(),
  timeout: duration.optional(),
  cacheSize: z.number().int().min(0).max(1_000_000).optional(),
  scripted: scriptedConfig.optional(),
});

export type ScriptedJudgeAnswer = z.infer<typeof scriptedAnswer>;
export type ScriptedJudgeRule = z.infer<typeof scriptedRule>;
export type ScriptedJudgeConfig = z.input<typeof scriptedConfig>;
export type ScriptedJudgeScript = z.output<typeof scriptedConfig>;

/** The project's `judge` block in warden.config.ts: which model judges, where, and how long it may take. */
export interface JudgeConfig {
  /** `scripted` (offline: `scripted` rules or script), or an OpenAI model name. */
  model: string;
  /** Base URL of an OpenAI-compatible server (vLLM, Ollama, a gateway). Default OPENAI_BASE_URL, else OpenAI. */
  endpoint?: string;
  /** The environment variable holding the endpoint's API key. Default OPENAI_API_KEY. */
  apiKeyEnv?: string;
  /** The Responses API (default) or Chat Completions. Default WARDEN_OPENAI_API. */
  api?: 'responses' | 'chat';
  /** How long one question may take before the call escalates. Default 10 seconds, at most 60. */
  timeout?: Duration;
  /** Answers kept by digest of their input (LRU). Default 1000; 0 turns the cache off. */
  cacheSize?: number;
  scripted?: ScriptedJudgeConfig;
}

/** A judge block, checked, with its timeout in milliseconds and the scripted judge's defaults. */
export interface CheckedJudgeConfig extends Omit<JudgeConfig, 'timeout' | 'scripted'> {
  timeoutMs: number;
  cacheSize: number;
  scripted: ScriptedJudgeScript;
}

export class JudgeConfigError extends Error {
  override name = 'JudgeConfigError';
}

export function checkJudgeConfig(config: unknown): CheckedJudgeConfig {
  const parsed = judgeConfigSchema.safeParse(config);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new JudgeConfigError(`judge.${issue?.path.join('.') || '(block)'}: ${issue?.message}`);
  }
  const { timeout, scripted, ...rest } = parsed.data;
  let timeoutMs = DEFAULT_JUDGE_TIMEOUT_MS;
  if (timeout !== undefined) {
    try {
      timeoutMs = msToNumber(timeout as Duration);
    } catch {
      throw new JudgeConfigError(`judge.timeout: "${timeout}" is not a duration`);
    }
  }
  if (!(timeoutMs > 0 && timeoutMs <= MAX_JUDGE_TIMEOUT_MS)) {
    throw new JudgeConfigError(`judge.timeout: between 1 ms and ${MAX_JUDGE_TIMEOUT_MS / 1000} seconds`);
  }
  if (rest.model === 'scripted' && rest.endpoint !== undefined) {
    throw new JudgeConfigError('judge.endpoint: the scripted judge calls no endpoint');
  }
  if (rest.model !== 'scripted' && scripted !== undefined) {
    throw new JudgeConfigError(`judge.scripted: only for model "scripted", not "${rest.model}"`);
  }
  return {
    ...rest,
    timeoutMs,
    cacheSize: rest.cacheSize ?? 1000,
    scripted: scriptedConfig.parse(scripted ?? {}),
  };
}
