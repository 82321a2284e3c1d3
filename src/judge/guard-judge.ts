import { createHash } from 'node:crypto';
import { canonicalJson } from '../guard/canonical-json.ts';
import type { JudgeInput, JudgeModel, JudgeRecord } from '../guard/intent/judge.ts';
import { LruCache } from '../guard/lru-cache.ts';
import { type JudgeAnswer, parseJudgeAnswer } from './judge-answer.ts';
import type { JudgeBackend } from './judge-backend.ts';
import { JUDGE_INSTRUCTIONS, JUDGE_PROMPT_VERSION, judgePrompt } from './judge-prompt.ts';

export interface GuardJudgeOptions {
  timeoutMs: number;
  /** Answers kept by input digest; 0 keeps none. */
  cacheSize: number;
  now?: () => number;
}

/** A provider's error text is recorded, cut short: it is the provider's, not ours. */
const MAX_PROBLEM = 200;

class JudgeTimeoutError extends Error {
  override name = 'JudgeTimeoutError';
}

/**
 * The judge the tool worker asks: one backend behind a timeout, a strict answer schema and a
 * bounded cache keyed by the digest of the input. Only schema-valid answers are cached (a retry
 * after a timeout asks again), and the same question asked twice at once is asked once.
 */
export class GuardJudge implements JudgeModel {
  readonly name: string;
  private readonly answers: LruCache<JudgeAnswer>;
  private readonly inFlight = new Map<string, Promise<JudgeAnswer>>();
  private readonly now: () => number;
  private questions = 0;

  constructor(
    private readonly backend: JudgeBackend,
    private readonly options: GuardJudgeOptions,
  ) {
    this.name = backend.model;
    this.answers = new LruCache(options.cacheSize);
    this.now = options.now ?? (() => performance.now());
  }

  /** Questions that reached the backend: cache misses, failed ones included. */
  get asked(): number {
    return this.questions;
  }

  /** SHA-256 over the canonical JSON of everything the answer depends on. */
  digest(input: JudgeInput): string {
    const key = { model: this.backend.model, prompt: JUDGE_PROMPT_VERSION, input };
    return `sha256:${createHash('sha256').update(canonicalJson(key)).digest('hex')}`;
  }

  async judge(input: JudgeInput): Promise<JudgeRecord> {
    const started = this.now();
    let inputDigest: string;
    try {
      inputDigest = this.digest(input);
    } catch {
      // Arguments JSON cannot represent are refused before the judge; anything else is no answer.
      const base = { model: this.backend.model, inputDigest: 'none' };
      return this.unavailable(base, started, 'the input has no canonical JSON form');
    }
    const base = { model: this.backend.model, inputDigest };
    const cached = this.answers.get(base.inputDigest);
    if (cached !== undefined) return this.answered(base, started, cached, true);
    try {
      const answer = await this.ask(base.inputDigest, input);
      return this.answered(base, started, answer, false);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return this.unavailable(base, started, message.slice(0, MAX_PROBLEM));
    }
  }

  private ask(digest: string, input: JudgeInput): Promise<JudgeAnswer> {
    const running = this.inFlight.get(digest);
    if (running !== undefined) return running;
    const asking = this.askBackend(input)
      .then((answer) => {
        this.answers.set(digest, answer);
        return answer;
      })
      .finally(() => this.inFlight.delete(digest));
    this.inFlight.set(digest, asking);
    return asking;
  }

  private async askBackend(input: JudgeInput): Promise<JudgeAnswer> {
    this.questions += 1;
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new JudgeTimeoutError(`no answer within ${this.options.timeoutMs} ms`);
        controller.abort(error);
        reject(error);
      }, this.options.timeoutMs);
    });
    try {
      const question = { instructions: JUDGE_INSTRUCTIONS, prompt: judgePrompt(input), input };
      // A backend that ignores the abort signal still loses the race.
      const text = await Promise.race([this.backend.ask(question, controller.signal), timedOut]);
      return parseJudgeAnswer(text);
    } finally {
      clearTimeout(timer);
    }
  }

  private answered(
    base: { model: string; inputDigest: string },
    started: number,
    answer: JudgeAnswer,
    cached: boolean,
  ): JudgeRecord {
    return { status: 'answered', ...answer, ...base, latencyMs: this.elapsed(started), cached };
  }

  private unavailable(
    base: { model: string; inputDigest: string },
    started: number,
    problem: string,
  ): JudgeRecord {
    return {
      status: 'unavailable',
      verdict: 'escalate',
      reason: `judge unavailable, a person decides: ${problem}`,
      ...base,
      latencyMs: this.elapsed(started),
      cached: false,
    };
  }

  private elapsed(started: number): number {
    return Math.round((this.now() - started) * 10) / 10;
  }
}
