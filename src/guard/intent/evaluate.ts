import type { PurposeScope, RunUsage } from '../types.ts';
import { combineFindings, type IntentRule, type IntentVerdict, type RuleFinding } from './rules.ts';

export interface IntentSubject {
  tool: string;
  category: string;
  arguments: unknown;
  usage: RunUsage;
  purposeScope?: PurposeScope;
  /** Calls in the rule's window before this one; supplied by the caller's window store. */
  callsInWindow(rule: Extract<IntentRule, { kind: 'max_calls_per_window' }>): number;
}

/** Reads `a.b.c` from plain JSON arguments. */
export function argumentAt(args: unknown, path: string): unknown {
  let value: unknown = args;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** The lower-case host of a URL argument, or undefined when it is not an absolute http(s) URL. */
export function hostOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^https?:\/\/([^/?#@]+@)?([^/?#:]+)/i.exec(value.trim());
  return match?.[2]?.toLowerCase();
}

export function hostMatches(host: string, pattern: string): boolean {
  const p = pattern.toLowerCase();
  if (p.startsWith('*.')) return host.endsWith(p.slice(1)) || host === p.slice(2);
  return host === p;
}

function finding(rule: RuleFinding['rule'], verdict: RuleFinding['verdict'], reason: string): RuleFinding {
  return { rule, verdict, reason };
}

function checkRule(rule: IntentRule, subject: IntentSubject): RuleFinding {
  const { tool, usage } = subject;
  switch (rule.kind) {
    case 'max_amount': {
      const amount = argumentAt(subject.arguments, rule.argument);
      if (typeof amount !== 'number' || !Number.isFinite(amount)) {
        return finding(rule.kind, 'deny', `${rule.argument} is not a number`);
      }
      return amount > rule.max
        ? finding(
            rule.kind,
            rule.onExceed ?? 'escalate',
            `${rule.argument} ${amount} exceeds the limit ${rule.max}`,
          )
        : finding(rule.kind, 'allow', `${rule.argument} ${amount} within ${rule.max}`);
    }
    case 'allowed_hosts': {
      const host = hostOf(argumentAt(subject.arguments, rule.argument));
      if (host === undefined) return finding(rule.kind, 'deny', `${rule.argument} is not an http(s) URL`);
      return rule.hosts.some((h) => hostMatches(host, h))
        ? finding(rule.kind, 'allow', `host ${host} is allowed`)
        : finding(
            rule.kind,
            'deny',
            `host ${host} is not among the allowed hosts (${rule.hosts.join(', ')})`,
          );
    }
    case 'new_external_host': {
      const host = hostOf(argumentAt(subject.arguments, rule.argument));
      if (host === undefined) return finding(rule.kind, 'deny', `${rule.argument} is not an http(s) URL`);
      const known = (rule.knownHosts ?? []).some((h) => hostMatches(host, h)) || usage.hosts.includes(host);
      return known
        ? finding(rule.kind, 'allow', `host ${host} is known`)
        : finding(rule.kind, 'escalate', `first call to the new external host ${host}`);
    }
    case 'allowed_values': {
      const value = argumentAt(subject.arguments, rule.argument);
      const ok = rule.values.some((v) => v === value);
      return ok
        ? finding(rule.kind, 'allow', `${rule.argument} is an allowed value`)
        : finding(
            rule.kind,
            rule.onViolation ?? 'deny',
            `${rule.argument} ${JSON.stringify(value)} is not allowed`,
          );
    }
    case 'max_records_per_run': {
      const requestedRaw = rule.requestedArgument
        ? argumentAt(subject.arguments, rule.requestedArgument)
        : undefined;
      const requested = typeof requestedRaw === 'number' ? requestedRaw : 0;
      const total = usage.recordsRead + requested;
      return total > rule.limit
        ? finding(
            rule.kind,
            rule.onExceed ?? 'escalate',
            `this run would read ${total} records, more than ${rule.limit}`,
          )
        : finding(rule.kind, 'allow', `${total} records within ${rule.limit}`);
    }
    case 'max_calls_per_run': {
      const made = rule.anyTool ? usage.calls : (usage.callsByTool[tool] ?? 0);
      const scope = rule.anyTool ? 'tool calls' : `calls of ${tool}`;
      return made + 1 > rule.limit
        ? finding(rule.kind, rule.onExceed ?? 'deny', `more than ${rule.limit} ${scope} in this run`)
        : finding(rule.kind, 'allow', `${made + 1} ${scope} within ${rule.limit}`);
    }
    case 'max_calls_per_window': {
      const made = subject.callsInWindow(rule);
      return made + 1 > rule.limit
        ? finding(
            rule.kind,
            rule.onExceed ?? 'deny',
            `more than ${rule.limit} calls of ${tool} within ${rule.windowSeconds} s`,
          )
        : finding(rule.kind, 'allow', `${made + 1} calls within ${rule.limit} per ${rule.windowSeconds} s`);
    }
  }
}

function checkPurpose(subject: IntentSubject): RuleFinding | undefined {
  const scope = subject.purposeScope;
  if (!scope || (scope.tools === undefined && scope.categories === undefined)) return undefined;
  const inScope =
    (scope.tools ?? []).includes(subject.tool) || (scope.categories ?? []).includes(subject.category);
  return inScope
    ? finding('purpose', 'allow', `${subject.tool} fits the declared purpose`)
    : finding(
        'purpose',
        scope.outside ?? 'deny',
        `${subject.tool} is outside the agent's declared purpose (tools: ${(scope.tools ?? []).join(', ') || '-'}; categories: ${(scope.categories ?? []).join(', ') || '-'})`,
      );
}

/** Evaluates every deterministic rule; deny beats escalate beats allow. */
export function evaluateIntent(rules: IntentRule[], subject: IntentSubject): IntentVerdict {
  const findings: RuleFinding[] = [];
  const purpose = checkPurpose(subject);
  if (purpose) findings.push(purpose);
  for (const rule of rules) findings.push(checkRule(rule, subject));
  return combineFindings(findings);
}
