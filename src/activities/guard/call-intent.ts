import type { OsoValue } from '../../authz/types.ts';
import { evaluateIntent } from '../../guard/intent/evaluate.ts';
import {
  combineFindings,
  type IntentRule,
  type IntentVerdict,
  type RuleFinding,
} from '../../guard/intent/rules.ts';
import type { PurposeScope, RunUsage } from '../../guard/types.ts';
import type { ToolDefinition } from '../../tools/define-tool.ts';
import type { AgentRules } from './agent-rules.ts';

/**
 * The intent rules of one call as the tool worker sees them: the tool's and the agent's from its own
 * registry and catalog, plus what the run adds. What the run adds can only tighten: each added rule
 * and scope is one more finding, and one that cannot be evaluated denies.
 */
export interface CallRules {
  own: IntentRule[];
  ownScopes: PurposeScope[];
  added: unknown[];
  addedScope?: unknown;
}

export function callRules(
  tool: ToolDefinition,
  agent: AgentRules,
  added: { rules?: unknown; purposeScope?: unknown },
): CallRules {
  return {
    own: [...tool.intent, ...agent.rules],
    ownScopes: agent.purposeScopes,
    added: Array.isArray(added.rules) ? added.rules : [],
    ...(added.purposeScope !== undefined ? { addedScope: added.purposeScope } : {}),
  };
}

/** The windows (ms) of the call's per-window rules: where the call takes a place. */
export function windowsOf(rules: CallRules): number[] {
  const windows = new Set<number>();
  for (const rule of [...rules.own, ...rules.added] as Array<Partial<IntentRule>>) {
    if (rule?.kind !== 'max_calls_per_window') continue;
    const seconds = (rule as { windowSeconds?: unknown }).windowSeconds;
    if (typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0) windows.add(seconds * 1000);
  }
  return [...windows].sort((a, b) => a - b);
}

/** Per-window limits count per agent, user and tool. */
export function windowKey(agent: OsoValue, onBehalfOf: OsoValue, tool: ToolDefinition): string {
  return `${agent.type}:${agent.id}|${onBehalfOf.type}:${onBehalfOf.id}|${tool.name}`;
}

export interface IntentFacts {
  tool: ToolDefinition;
  args: unknown;
  usage: RunUsage;
  callsInWindow: (windowMs: number) => number;
}

/** Deterministic rules on the facts the worker holds; deny beats escalate beats allow. */
export function decideIntent(rules: CallRules, facts: IntentFacts, judged?: RuleFinding): IntentVerdict {
  const subject = {
    tool: facts.tool.name,
    category: facts.tool.category,
    arguments: facts.args,
    usage: facts.usage,
    callsInWindow: (rule: { windowSeconds: number }) => facts.callsInWindow(rule.windowSeconds * 1000),
  };
  const findings: RuleFinding[] = [...evaluateIntent(rules.own, subject).findings];
  for (const scope of rules.ownScopes)
    findings.push(...evaluateIntent([], { ...subject, purposeScope: scope }).findings);
  const added: Array<{ rule?: unknown; scope?: unknown }> = [
    ...rules.added.map((rule) => ({ rule })),
    ...(rules.addedScope !== undefined ? [{ scope: rules.addedScope }] : []),
  ];
  for (const extra of added) {
    try {
      const verdict =
        extra.scope !== undefined
          ? evaluateIntent([], { ...subject, purposeScope: extra.scope as PurposeScope })
          : evaluateIntent([extra.rule as IntentRule], subject);
      if (verdict.findings.some((f) => typeof f?.verdict !== 'string')) throw new Error('unknown rule');
      findings.push(...verdict.findings);
    } catch {
      findings.push({
        rule: 'run_rule',
        verdict: 'deny',
        reason: 'a rule the run added cannot be evaluated',
      });
    }
  }
  if (judged) findings.push(judged);
  return combineFindings(findings);
}
