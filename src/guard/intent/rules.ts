/**
 * Deterministic intent rules, as plain JSON so that agents can declare them in workflow input and
 * the history shows which rules a call was checked against.
 */

import type { JudgeRecord } from './judge.ts';

export type RuleAction = 'deny' | 'escalate';

/**
 * A rule on one argument applies only when the call has that argument: an optional argument the call
 * omits is not checked (`allow`, "absent"). With `required: true` an absent argument is a deny.
 */
interface ArgumentRule {
  argument: string;
  required?: boolean;
}

export type IntentRule =
  /** A numeric argument (e.g. `amount`) above `max`. */
  | ({ kind: 'max_amount'; max: number; onExceed?: RuleAction } & ArgumentRule)
  /**
   * A URL argument whose host is not listed (`*.example.com` matches subdomains). Denies, as it
   * denies a URL `parseHttpUrl` refuses, and an IP-literal host unless that address is listed.
   */
  | ({ kind: 'allowed_hosts'; hosts: string[] } & ArgumentRule)
  /**
   * First call of this run to a host that is not in `knownHosts`: a person looks first. A URL
   * `parseHttpUrl` refuses, or an IP-literal host that is not listed, is denied.
   */
  | ({ kind: 'new_external_host'; knownHosts?: string[] } & ArgumentRule)
  /** An argument outside a fixed set of values. */
  | ({
      kind: 'allowed_values';
      values: Array<string | number | boolean>;
      onViolation?: RuleAction;
    } & ArgumentRule)
  /** Records read in this run (plus the count this call asks for, if `requestedArgument` names it). */
  | { kind: 'max_records_per_run'; limit: number; requestedArgument?: string; onExceed?: RuleAction }
  /** Calls of this tool (or of any tool, with `anyTool`) in this run. */
  | { kind: 'max_calls_per_run'; limit: number; anyTool?: boolean; onExceed?: RuleAction }
  /** Calls of this tool within a sliding time window, across runs, per agent/user pair. */
  | { kind: 'max_calls_per_window'; limit: number; windowSeconds: number; onExceed?: RuleAction };

export type Verdict = 'allow' | 'deny' | 'escalate';

export interface RuleFinding {
  /** `run_rule`: a rule the run added that could not be evaluated (it denies). */
  rule: IntentRule['kind'] | 'purpose' | 'judge' | 'run_rule';
  verdict: Verdict;
  reason: string;
  /** The judge's answer, model, latency and cache use, on the judge's finding. */
  judge?: JudgeRecord;
}

export interface IntentVerdict {
  verdict: Verdict;
  /** Why a call was denied or escalated; empty when allowed. */
  reasons: string[];
  /** Every rule the call was checked against, with its own verdict. */
  findings: RuleFinding[];
}

const SEVERITY: Record<Verdict, number> = { allow: 0, escalate: 1, deny: 2 };

/** Deny beats escalate beats allow. */
export function combineFindings(findings: RuleFinding[]): IntentVerdict {
  let verdict: Verdict = 'allow';
  for (const f of findings) if (SEVERITY[f.verdict] > SEVERITY[verdict]) verdict = f.verdict;
  return {
    verdict,
    reasons: findings.filter((f) => f.verdict !== 'allow').map((f) => f.reason),
    findings,
  };
}
