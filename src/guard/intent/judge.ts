import type { OsoValue } from '../../authz/types.ts';
import type { Verdict } from './rules.ts';

/**
 * What a judge sees of one call. The purpose and the tool's description come from the worker's own
 * catalog and registry; the arguments, the user's request and the provenance are data the call or
 * the run supplied, shown to the judge as data, never as instructions.
 */
export interface JudgeInput {
  agent: OsoValue;
  onBehalfOf: OsoValue;
  /** The purposes the deployment's catalog declares for the agent identity. */
  purpose: string;
  tool: string;
  toolDescription: string;
  arguments: unknown;
  /** The user's request, when the run provides one. */
  userRequest?: string;
  /** Where the call's argument values came from, when the run provides it. */
  provenance?: unknown;
}

/** How a judge's answer is recorded in the call's intent verdict: plain JSON, in the history. */
export interface JudgeRecord {
  /** `answered`: a schema-valid verdict; `unavailable`: timeout, error or malformed output. */
  status: 'answered' | 'unavailable';
  verdict: Verdict;
  reason: string;
  /** Which judge answered, e.g. `scripted` or `openai:gpt-4.1-mini`. */
  model: string;
  /** Time this call spent on the judge (near zero when the answer came from the cache). */
  latencyMs: number;
  cached: boolean;
  /** SHA-256 over the canonical JSON of the judge's input: the cache key. */
  inputDigest: string;
}

/**
 * A model that reviews a call's intent next to the deterministic rules. Off unless the agent or the
 * tool asks for it; its verdict can only tighten (deny beats escalate beats allow across findings),
 * and a judge that cannot answer escalates. `judge` never throws for a provider's failure: it
 * answers `unavailable` with `escalate`.
 */
export interface JudgeModel {
  readonly name: string;
  judge(input: JudgeInput): Promise<JudgeRecord>;
}
