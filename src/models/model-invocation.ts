import type { ModelRequest, ModelResponse } from '@openai/agents-core';

/**
 * What crosses from the workflow to the model activity: plain JSON only, because it is recorded in
 * the run's history. Imported by workflow code, so it stays free of I/O and node built-ins.
 */
export type SerializableModelRequest = Omit<ModelRequest, 'signal' | 'modelSettings'> & {
  modelSettings: Omit<ModelRequest['modelSettings'], 'retry' | 'timeoutMs'>;
};

export interface ModelInvocation {
  /** The agent whose turn this is (for provider logs and scripted scenarios). */
  agent: string;
  /** The model name the agent asked for; the worker's configuration decides which provider serves it. */
  model?: string;
  /** The scripted scenario this run follows; ignored by real models. */
  scenario?: string;
  /** 1-based model call number in the whole run (continued runs keep counting). */
  turn: number;
  request: SerializableModelRequest;
}

/** `ModelResponse` after the JSON round trip: `usage` is plain data, rebuilt as a `Usage` in the workflow. */
export interface SerializedModelResponse {
  output: ModelResponseOutput;
  usage: SerializedUsage;
  responseId?: string;
  requestId?: string;
}

export type ModelResponseOutput = ModelResponse['output'];

export interface SerializedUsage {
  requests: number;
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
}

/** Drops what cannot be serialized (abort signal, retry callbacks) and SDK timers (activity timeouts rule). */
export function toSerializableRequest(request: ModelRequest): SerializableModelRequest {
  const { signal: _signal, modelSettings, ...rest } = request;
  const { retry: _retry, timeoutMs: _timeout, ...settings } = modelSettings;
  return { ...rest, modelSettings: settings };
}
