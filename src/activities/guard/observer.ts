import type { OsoValue } from '../../authz/types.ts';
import { callHosts } from '../../guard/intent/call-hosts.ts';
import type { RefusalCode } from '../../guard/types.ts';
import type { ToolRegistry } from '../../tools/define-tool.ts';
import type { RunKey } from '../../usage/usage-store.ts';
import type { Enforcement } from './enforce.ts';

/**
 * One decision of the tool worker, as it took it: the run from the server's task, the tool from the
 * registry, the outcome it returned. It carries no argument value and no tool output, so whatever
 * observes it (alerts, traces) never holds data the call moved.
 */
export interface GuardObservation {
  at: number;
  /** `decide`: the one-activity path; `execute`: the execution of an approved call. */
  step: 'decide' | 'execute';
  run: RunKey;
  callId?: string;
  /** The registry's tool name; absent when the call named no tool of the registry. */
  tool?: string;
  agent?: OsoValue;
  onBehalfOf?: OsoValue;
  outcome: 'executed' | 'needs_approval' | 'denied' | 'failed';
  /** Why a denied call was refused. */
  code?: RefusalCode;
  /** The policy's answer for the tool, when it was asked. */
  allowed?: boolean;
  policyVersion?: string;
  approvers: string[];
  recordsRead?: number;
  /** Hosts the call contacts, as its host rules parse them. */
  hosts: string[];
  /** The decision saw arguments of untrusted provenance (set by provenance tracking when present). */
  tainted: boolean;
  /** When an approval is pending: the grant's expiry, by which the approved execution must arrive. */
  grantExpiresAt?: number;
}

/**
 * Watches the tool worker's decisions. `observe` is called after the decision and must neither
 * throw nor wait: a slow or failing observer never delays or fails a tool call.
 */
export interface GuardObserver {
  observe(observation: GuardObservation): void;
}

/** Several observers as one; each is isolated from the others' failures. */
export function observers(...all: Array<GuardObserver | undefined>): GuardObserver | undefined {
  const present = all.filter((o): o is GuardObserver => o !== undefined);
  if (present.length === 0) return undefined;
  if (present.length === 1) return present[0];
  return {
    observe: (observation) => {
      for (const o of present) safely(o, observation);
    },
  };
}

function safely(observer: GuardObserver, observation: GuardObservation): void {
  try {
    observer.observe(observation);
  } catch {
    // An observer's failure is its own; the call it observes goes on.
  }
}

/**
 * A `tainted` mark on the decision's intent verdict, or a finding of a provenance rule. Read
 * defensively: the verdict shape is shared with code that adds provenance independently.
 */
export function taintedDecision(intent: unknown): boolean {
  const verdict = (intent as { verdict?: unknown } | undefined)?.verdict as
    | { tainted?: unknown; findings?: unknown }
    | undefined;
  if (verdict === undefined || verdict === null) return false;
  const mark = verdict.tainted;
  if (mark === true || (Array.isArray(mark) && mark.length > 0)) return true;
  const findings = Array.isArray(verdict.findings) ? verdict.findings : [];
  return findings.some((f: { rule?: unknown; verdict?: unknown }) => {
    const rule = typeof f?.rule === 'string' ? f.rule : '';
    return (rule === 'provenance' || rule === 'tainted') && f.verdict !== 'allow';
  });
}

/**
 * The tool and hosts of a denied call, as the enforcement resolved them: a refused call to a new
 * host is as telling as an executed one.
 */
function deniedCall(tools: ToolRegistry, request: { tool?: unknown }, resolved: Enforcement['resolved']) {
  if (resolved !== undefined) return { tool: resolved.tool.name, hosts: resolved.hosts };
  const known = typeof request?.tool === 'string' ? tools.get(request.tool) : undefined;
  return known ? { tool: known.name, hosts: [] } : { hosts: [] };
}

/** The observation of one enforcement's answer (and of the execution that followed, if any). */
export function observationOf(
  step: GuardObservation['step'],
  tools: ToolRegistry,
  run: RunKey,
  request: { callId?: unknown; tool?: unknown; arguments?: unknown; agent?: unknown; onBehalfOf?: unknown },
  decided: Enforcement,
  extra: Partial<Pick<GuardObservation, 'outcome' | 'recordsRead' | 'grantExpiresAt'>> = {},
): GuardObservation {
  const value = (v: unknown): OsoValue | undefined =>
    typeof v === 'object' &&
    v !== null &&
    typeof (v as OsoValue).type === 'string' &&
    typeof (v as OsoValue).id === 'string'
      ? { type: (v as OsoValue).type, id: (v as OsoValue).id }
      : undefined;
  const agent = value(request?.agent);
  const onBehalfOf = value(request?.onBehalfOf);
  const base = {
    at: Date.now(),
    step,
    run,
    ...(typeof request?.callId === 'string' ? { callId: request.callId } : {}),
    ...(agent ? { agent } : {}),
    ...(onBehalfOf ? { onBehalfOf } : {}),
    ...(decided.authorization
      ? {
          allowed: decided.authorization.invoke.allowed,
          policyVersion: decided.authorization.summary.policyVersion,
        }
      : {}),
    tainted: (decided.provenance?.tainted.length ?? 0) > 0 || taintedDecision(decided.intent),
  };
  if (decided.kind === 'denied') {
    return {
      ...base,
      ...deniedCall(tools, request, decided.resolved),
      outcome: 'denied',
      code: decided.code,
      approvers: [],
      ...extra,
    };
  }
  return {
    ...base,
    tool: decided.tool.name,
    outcome: decided.kind === 'admitted' ? 'executed' : 'needs_approval',
    approvers: decided.kind === 'admitted' ? decided.approvers : [],
    hosts: decided.resolved?.hosts ?? callHosts(decided.tool, decided.args),
    ...extra,
  };
}

/** Hands an observation to the worker's observer, if it has one, without letting it fail the call. */
export function report(observer: GuardObserver | undefined, observation: () => GuardObservation): void {
  if (observer === undefined) return;
  try {
    observer.observe(observation());
  } catch {
    // Observing is never part of the decision.
  }
}
