import type { WardenConfig } from '../config/env.ts';
import { createJudgeBackend } from '../models/model-factory.ts';
import { GuardJudge } from './guard-judge.ts';
import { checkJudgeConfig, type JudgeConfig } from './judge-config.ts';

/** The worker's judge from the project's `judge` block; none without one (the judge is off by default). */
export function createJudge(
  config: WardenConfig,
  block: JudgeConfig | undefined,
  env: NodeJS.ProcessEnv = process.env,
): GuardJudge | undefined {
  if (block === undefined) return undefined;
  const judge = checkJudgeConfig(block);
  return new GuardJudge(createJudgeBackend(config, judge, env), {
    timeoutMs: judge.timeoutMs,
    cacheSize: judge.cacheSize,
  });
}
