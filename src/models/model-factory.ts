import type { Model } from '@openai/agents-core';
import type OpenAI from 'openai';
import type { WardenConfig } from '../config/env.ts';
import { type JudgeBackend, modelBackend } from '../judge/judge-backend.ts';
import type { CheckedJudgeConfig } from '../judge/judge-config.ts';
import type { ModelInvocation } from './model-invocation.ts';
import { createOpenAIClient, createOpenAIModel, ModelConfigError } from './openai-model.ts';
import { loadScenario } from './scripted/load-scenarios.ts';
import { ScriptedJudge } from './scripted/scripted-judge.ts';
import { ScriptedModel } from './scripted/scripted-model.ts';

/** Picks the model that answers one invocation; lives in the worker, never in workflow code. */
export interface ModelFactory {
  /** What serves the runs: `scripted`, or the OpenAI model name (and API) in use. */
  readonly description: string;
  modelFor(invocation: ModelInvocation): Model;
}

export interface ModelFactoryOptions {
  /** Where the scripted model finds `<scenario>.yaml`. */
  scenarioDir: string;
}

/**
 * WARDEN_MODEL=scripted (default) replays scenario files, whatever the agents ask for. Any other value
 * is an OpenAI model name, served by OpenAI or by the compatible server at OPENAI_BASE_URL; an agent
 * that names its own model gets that one.
 */
export function createModelFactory(config: WardenConfig, options: ModelFactoryOptions): ModelFactory {
  if (config.WARDEN_MODEL === 'scripted') {
    const { scenarioDir } = options;
    return {
      description: 'scripted (scenario files)',
      modelFor(invocation) {
        if (invocation.scenario === undefined) {
          throw new ModelConfigError('WARDEN_MODEL=scripted needs a scenario for the run');
        }
        return new ScriptedModel(loadScenario(invocation.scenario, scenarioDir), invocation.turn);
      },
    };
  }
  let client: OpenAI | undefined;
  const modelName = config.WARDEN_MODEL;
  return {
    description: `${modelName} via the OpenAI ${config.WARDEN_OPENAI_API === 'chat' ? 'Chat Completions' : 'Responses'} API${config.OPENAI_BASE_URL ? ` at ${config.OPENAI_BASE_URL}` : ''}`,
    modelFor(invocation) {
      client ??= createOpenAIClient(config);
      return createOpenAIModel(client, config, invocation.model ?? modelName);
    },
  };
}

/**
 * The judge's model, apart from the agents' (WARDEN_MODEL): `scripted` answers from the judge
 * block's rules or script; any other name is an OpenAI model at OpenAI or at `endpoint`, with the
 * key from `apiKeyEnv` (default OPENAI_API_KEY) and the SDK's retries off (the judge's timeout and
 * fail-closed escalation decide).
 */
export function createJudgeBackend(
  config: WardenConfig,
  judge: CheckedJudgeConfig,
  env: NodeJS.ProcessEnv = process.env,
): JudgeBackend {
  if (judge.model === 'scripted') return new ScriptedJudge(judge.scripted);
  const apiKey =
    judge.apiKeyEnv === undefined ? config.OPENAI_API_KEY : env[judge.apiKeyEnv]?.trim() || undefined;
  const endpoint = judge.endpoint ?? config.OPENAI_BASE_URL;
  if (apiKey === undefined && endpoint === undefined) {
    throw new ModelConfigError(
      `the judge model ${judge.model} needs ${judge.apiKeyEnv ?? 'OPENAI_API_KEY'} (OpenAI) or judge.endpoint (a compatible server)`,
    );
  }
  const judgeEnv: WardenConfig = {
    ...config,
    OPENAI_API_KEY: apiKey,
    OPENAI_BASE_URL: endpoint,
    WARDEN_OPENAI_API: judge.api ?? config.WARDEN_OPENAI_API,
  };
  const model = createOpenAIModel(createOpenAIClient(judgeEnv), judgeEnv, judge.model);
  return modelBackend(model, `openai:${judge.model}`);
}
