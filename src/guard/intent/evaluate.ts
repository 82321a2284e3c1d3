import { hostMatches, isIpLiteral, parseHttpUrl } from '../http-url.ts';
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

/** Reads `a.b.c` from plain JSON arguments (own properties only: `constructor` is not an argument). */
export function argumentAt(args: unknown, path: string): unknown {
  let value: unknown = args;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    if (!Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function finding(rule: RuleFinding['rule'], verdict: RuleFinding['verdict'], reason: string): RuleFinding {
  return { rule, verdict, reason };
}

type ArgumentRuleKind = Extract<IntentRule, { argument: string }>;

/** The finding for a rule whose argument the call omits: it applies only when `required` says so. */
function absent(rule: ArgumentRuleKind): RuleFinding {
  return rule.required
    ? finding(rule.kind, 'deny', `${rule.argument} is required and missing`)
    : finding(rule.kind, 'allow', `${rule.argument} is absent; the rule does not apply`);
}

/**
 * The host a host rule checks, parsed as `fetch` will parse the URL; or the deny finding for a URL
 * that `parseHttpUrl` refuses or that names an IP address the rule's patterns do not list.
 */
function checkedHost(rule: ArgumentRuleKind, value: unknown, patterns: string[]): RuleFinding | string {
  const parsed = parseHttpUrl(value);
  if (!parsed.ok) return finding(rule.kind, 'deny', `${rule.argument} ${parsed.reason}`);
  const { host } = parsed;
  if (isIpLiteral(host) && !patterns.some((p) => hostMatches(host, p))) {
    return finding(rule.kind, 'deny', `${rule.argument} names the IP address ${host}, which is not listed`);
  }
  return host;
}

function checkRule(rule: IntentRule, subject: IntentSubject): RuleFinding {
  const { tool, usage } = subject;
  if ('argument' in rule && argumentAt(subject.arguments, rule.argument) === undefined) return absent(rule);
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
      const host = checkedHost(rule, argumentAt(subject.arguments, rule.argument), rule.hosts);
      if (typeof host !== 'string') return host;
      return rule.hosts.some((h) => hostMatches(host, h))
        ? finding(rule.kind, 'allow', `host ${host} is allowed`)
        : finding(
            rule.kind,
            'deny',
            `host ${host} is not among the allowed hosts (${rule.hosts.join(', ')})`,
          );
    }
    case 'new_external_host': {
      const knownHosts = rule.knownHosts ?? [];
      const host = checkedHost(rule, argumentAt(subject.arguments, rule.argument), knownHosts);
      if (typeof host !== 'string') return host;
      const known = knownHosts.some((h) => hostMatches(host, h)) || usage.hosts.includes(host);
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
      if (
        requestedRaw !== undefined &&
        (typeof requestedRaw !== 'number' || !Number.isFinite(requestedRaw) || requestedRaw < 0)
      ) {
        return finding(rule.kind, 'deny', `${rule.requestedArgument} is not a record count`);
      }
      const requested = requestedRaw ?? 0;
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
