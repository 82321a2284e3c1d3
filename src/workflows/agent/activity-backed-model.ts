import { type Model, type ModelRequest, type ModelResponse, Usage } from '@openai/agents-core';
import { proxyActivities } from '@temporalio/workflow';
import type { ModelActivities } from '../../activities/model/invoke-model.ts';
import { type SerializedUsage, toSerializableRequest } from '../../models/model-invocation.ts';
import { encodeMalformedArguments } from './guarded-tools.ts';

const { invokeModel } = proxyActivities<ModelActivities>({
  // Generous for slow local models; the retry policy covers rate limits and flaky networks.
  startToCloseTimeout: '3 minutes',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 5,
  },
});

/** Raised inside a run when the next model call would exceed the run's token budget. */
export class TokenBudgetExceeded extends Error {
  override name = 'TokenBudgetExceeded';
}

export interface ModelCallRecord {
  turn: number;
  agent: string;
  usage: SerializedUsage;
  output: ModelResponse['output'];
}

export interface ModelCallOptions {
  scenario?: string;
  /** Model calls already made by earlier runs of this chain (continue-as-new). */
  turnsBefore: number;
  tokensBefore: number;
  maxTokens: number;
  onCall(record: ModelCallRecord): void;
}

/**
 * Counts model calls and tokens across every agent of one run, and enforces the token budget
 * before each call (a call that would start past the budget never happens).
 */
export class ModelCallLedger {
  turns: number;
  tokens: number;
  constructor(readonly options: ModelCallOptions) {
    this.turns = options.turnsBefore;
    this.tokens = options.tokensBefore;
  }
}

/**
 * The agents-core `Model` the Runner uses inside the workflow: each call is the `invokeModel`
 * activity (retries, timeouts, recorded in history); the worker decides which real model answers.
 */
export class ActivityBackedModel implements Model {
  constructor(
    private readonly agentName: string,
    private readonly modelName: string | undefined,
    private readonly ledger: ModelCallLedger,
  ) {}

  async getResponse(request: ModelRequest): Promise<ModelResponse> {
    const { ledger } = this;
    if (ledger.tokens >= ledger.options.maxTokens) {
      throw new TokenBudgetExceeded(
        `token budget of ${ledger.options.maxTokens} spent (${ledger.tokens} tokens used)`,
      );
    }
    const turn = ledger.turns + 1;
    const response = await invokeModel({
      agent: this.agentName,
      ...(this.modelName ? { model: this.modelName } : {}),
      ...(ledger.options.scenario ? { scenario: ledger.options.scenario } : {}),
      turn,
      request: toSerializableRequest(request),
    });
    ledger.turns = turn;
    ledger.tokens += response.usage.totalTokens;
    ledger.options.onCall({ turn, agent: this.agentName, usage: response.usage, output: response.output });
    return {
      output: encodeMalformedArguments(response.output),
      // Usage is a class the Runner calls methods on; the activity's JSON carries only its numbers.
      usage: new Usage(response.usage),
      ...(response.responseId ? { responseId: response.responseId } : {}),
      ...(response.requestId ? { requestId: response.requestId } : {}),
    };
  }

  getStreamedResponse(): AsyncIterable<never> {
    throw new Error('streaming is not available inside a workflow');
  }
}
