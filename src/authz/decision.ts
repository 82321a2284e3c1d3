import type {
  AuthzDecision,
  AuthzRequest,
  BatchAuthzDecision,
  BatchAuthzRequest,
  ContextFact,
  EngineName,
  OsoValue,
} from './types.ts';
import { formatFact, formatValue } from './values.ts';

/** The context facts an engine sees: `acts_for(actor, user)` first, then the caller's facts. */
export function contextOf(req: Pick<AuthzRequest, 'actor' | 'onBehalfOf' | 'context'>): ContextFact[] {
  const ctx: ContextFact[] = [];
  if (req.onBehalfOf) ctx.push(['acts_for', { ...req.actor }, { ...req.onBehalfOf }]);
  for (const f of req.context ?? []) ctx.push([...f] as ContextFact);
  return ctx;
}

export interface Outcome {
  allowed: boolean;
  error?: string;
  /** Extra detail, e.g. how many attempts a remote call took. */
  note?: string;
}

export function describeRequest(req: AuthzRequest): string {
  const who = req.onBehalfOf ? ` acting for ${formatValue(req.onBehalfOf)}` : '';
  return `${formatValue(req.actor)}${who} ${req.action} ${formatValue(req.resource)}`;
}

export function buildDecision(
  engine: EngineName,
  req: AuthzRequest,
  context: ContextFact[],
  versions: { policy: string; facts: string },
  startedAt: number,
  outcome: Outcome,
): AuthzDecision {
  const extra = outcome.note ? ` (${outcome.note})` : '';
  const ctxText = context.length > 0 ? ` with ${context.map(formatFact).join(', ')}` : '';
  let reason: string;
  if (outcome.error !== undefined) {
    reason = `denied, fail closed: ${outcome.error}${extra}`;
  } else if (outcome.allowed) {
    reason = `allowed: policy ${versions.policy} grants ${describeRequest(req)}${ctxText}${extra}`;
  } else {
    reason = `denied: no rule in policy ${versions.policy} grants ${describeRequest(req)}${ctxText}${extra}`;
  }
  const decision: AuthzDecision = {
    allowed: outcome.error === undefined && outcome.allowed,
    action: req.action,
    actor: { type: req.actor.type, id: req.actor.id },
    resource: { type: req.resource.type, id: req.resource.id },
    context,
    engine,
    policyVersion: versions.policy,
    factsVersion: versions.facts,
    durationMs: Math.round((performance.now() - startedAt) * 1000) / 1000,
    reason,
  };
  if (req.onBehalfOf) decision.onBehalfOf = { type: req.onBehalfOf.type, id: req.onBehalfOf.id };
  if (outcome.error !== undefined) decision.error = outcome.error;
  return decision;
}

export class TimeoutError extends Error {
  override name = 'TimeoutError';
}

/** Rejects after `ms`; the underlying work is abandoned, not awaited. */
export async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`${what} timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message.split('\n')[0] ?? error.name;
  return String(error);
}

const malformedValue = (v: unknown) =>
  typeof v !== 'object' ||
  v === null ||
  typeof (v as { type?: unknown }).type !== 'string' ||
  typeof (v as { id?: unknown }).id !== 'string' ||
  (v as { id: string }).id === '';

/** Sanity checks on a request; a malformed one is denied, never guessed at. */
export function requestProblem(req: AuthzRequest): string | undefined {
  const bad = malformedValue;
  if (bad(req.actor)) return 'malformed actor';
  if (bad(req.resource)) return 'malformed resource';
  if (req.onBehalfOf !== undefined && bad(req.onBehalfOf)) return 'malformed onBehalfOf';
  if (typeof req.action !== 'string' || req.action === '') return 'malformed action';
  if (req.context !== undefined && !Array.isArray(req.context)) return 'malformed context';
  return undefined;
}

/**
 * Sanity checks on a batch as a whole (actor, action, user, context); a malformed resource in it is
 * only that resource's deny, see `wellFormedResource`.
 */
export function batchProblem(req: BatchAuthzRequest): string | undefined {
  if (!Array.isArray(req.resources)) return 'malformed resources';
  return requestProblem({ ...req, resource: { type: 'Batch', id: 'batch' } });
}

export function wellFormedResource(resource: unknown): resource is OsoValue {
  return !malformedValue(resource);
}

/** The batch's answers as plain JSON; an error denies every resource. */
export function buildBatchDecision(
  engine: EngineName,
  req: BatchAuthzRequest,
  versions: { policy: string; facts: string },
  startedAt: number,
  outcome: { allowed: boolean[] } | { error: string },
): BatchAuthzDecision {
  const count = Array.isArray(req.resources) ? req.resources.length : 0;
  const decision: BatchAuthzDecision = {
    allowed: 'error' in outcome ? Array.from({ length: count }, () => false) : outcome.allowed,
    action: req.action,
    actor: { type: req.actor?.type, id: req.actor?.id },
    engine,
    policyVersion: versions.policy,
    factsVersion: versions.facts,
    durationMs: Math.round((performance.now() - startedAt) * 1000) / 1000,
  };
  if (req.onBehalfOf) decision.onBehalfOf = { type: req.onBehalfOf.type, id: req.onBehalfOf.id };
  if ('error' in outcome) decision.error = outcome.error;
  return decision;
}
