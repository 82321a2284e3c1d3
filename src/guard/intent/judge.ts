import type { OsoValue } from '../../authz/types.ts';
import type { Verdict } from './rules.ts';

/** What an optional judge model sees: the call and the run's declared purpose, nothing else. */
export interface JudgeInput {
  agent: OsoValue;
  onBehalfOf: OsoValue;
  purpose: string;
  tool: string;
  toolDescription: string;
  arguments: unknown;
}

export interface JudgeVerdict {
  verdict: Verdict;
  reason: string;
}

/**
 * A model that reviews a call's intent after the deterministic rules allowed or escalated it. Off by
 * default; when configured, its verdict can only tighten (never turn a deny into an allow), and a
 * failing judge escalates.
 */
export interface JudgeModel {
  readonly name: string;
  judge(input: JudgeInput): Promise<JudgeVerdict>;
}
