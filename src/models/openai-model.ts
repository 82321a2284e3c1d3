import type { Model } from '@openai/agents-core';
import { OpenAIChatCompletionsModel, OpenAIResponsesModel } from '@openai/agents-openai';
import OpenAI from 'openai';
import type { WardenConfig } from '../config/env.ts';

export class ModelConfigError extends Error {
  override name = 'ModelConfigError';
}

/**
 * One OpenAI client per worker. The SDK's own retries are off: the model activity's retry policy
 * is the single place that decides, and every attempt is visible in the run's history.
 */
export function createOpenAIClient(config: WardenConfig): OpenAI {
  if (config.OPENAI_API_KEY === undefined && config.OPENAI_BASE_URL === undefined) {
    throw new ModelConfigError(
      `WARDEN_MODEL=${config.WARDEN_MODEL} needs OPENAI_API_KEY (OpenAI) or OPENAI_BASE_URL (a compatible server)`,
    );
  }
  return new OpenAI({
    // Local OpenAI-compatible servers (vLLM, Ollama, LM Studio) accept any key.
    apiKey: config.OPENAI_API_KEY ?? 'not-needed',
    ...(config.OPENAI_BASE_URL ? { baseURL: config.OPENAI_BASE_URL } : {}),
    maxRetries: 0,
  });
}

/** The Responses API for OpenAI; Chat Completions for servers that only speak that (WARDEN_OPENAI_API=chat). */
export function createOpenAIModel(client: OpenAI, config: WardenConfig, modelName: string): Model {
  return config.WARDEN_OPENAI_API === 'chat'
    ? new OpenAIChatCompletionsModel(client, modelName)
    : new OpenAIResponsesModel(client, modelName);
}
