import {
  buildDecision,
  contextOf,
  errorText,
  type Outcome,
  requestProblem,
  withTimeout,
} from '../decision.ts';
import { DecisionCache } from '../decision-cache.ts';
import { checkFact, type PolicyModel } from '../dialect/model.ts';
import { checkStoredFact, FactSet } from '../facts.ts';
import type {
  Authorizer,
  AuthzDecision,
  AuthzRequest,
  ContextFact,
  Fact,
  FactArg,
  FactPattern,
  OsoValue,
} from '../types.ts';
import { PolicyError } from '../types.ts';
import { PolarEngine } from './engine.ts';

export interface EmbeddedOptions {
  /** Per-decision deadline; past it the decision is a deny. */
  timeoutMs?: number;
  /** Cached decisions; 0 disables the cache. */
  cacheSize?: number;
}

/** The default PDP: the open-source Polar engine, in process, no network. */
export class EmbeddedAuthorizer implements Authorizer {
  readonly engine = 'embedded' as const;
  private readonly cache: DecisionCache | undefined;
  private readonly timeoutMs: number;
  private inFlight = new Map<PolarEngine, number>();
  private retired = new Set<PolarEngine>();
  private closed = false;

  private constructor(
    private current: PolarEngine,
    private facts: FactSet,
    readonly model: PolicyModel,
    options: EmbeddedOptions,
  ) {
    this.timeoutMs = options.timeoutMs ?? 2_000;
    const size = options.cacheSize ?? 10_000;
    this.cache = size > 0 ? new DecisionCache(size) : undefined;
  }

  /** Builds the engine completely before returning: a bad policy or fact never half-loads. */
  static async create(
    model: PolicyModel,
    facts: Fact[],
    options: EmbeddedOptions = {},
  ): Promise<EmbeddedAuthorizer> {
    for (const f of facts) checkStoredFact(model, f);
    const set = new FactSet(facts);
    return new EmbeddedAuthorizer(await PolarEngine.create(model, set), set, model, options);
  }

  policyVersion(): string {
    return this.model.version;
  }

  factsVersion(): string {
    return this.facts.version();
  }

  async authorize(req: AuthzRequest): Promise<AuthzDecision> {
    const startedAt = performance.now();
    const versions = { policy: this.model.version, facts: this.facts.version() };
    const problem = requestProblem(req);
    if (problem !== undefined) {
      return buildDecision(this.engine, req, [], versions, startedAt, { allowed: false, error: problem });
    }
    const context = contextOf(req);
    const key = this.cache ? DecisionCache.key(req, context, versions.policy, versions.facts) : '';
    const hit = this.cache?.get(key);
    if (hit !== undefined) {
      return { ...hit, durationMs: Math.round((performance.now() - startedAt) * 1000) / 1000, cached: true };
    }
    let outcome: Outcome;
    try {
      for (const f of context) checkFact(this.model, f);
      const allowed = await this.holds('allow', [req.actor, req.action, req.resource], context);
      outcome = { allowed };
    } catch (error) {
      outcome = { allowed: false, error: errorText(error) };
    }
    const decision = buildDecision(this.engine, req, context, versions, startedAt, outcome);
    if (outcome.error === undefined) this.cache?.set(key, decision);
    return decision;
  }

  async actions(actor: OsoValue, resource: OsoValue, context: ContextFact[] = []): Promise<string[]> {
    try {
      for (const f of context) checkFact(this.model, f);
      const allowed: string[] = [];
      for (const action of [...this.model.strings].sort()) {
        if (await this.holds('allow', [actor, action, resource], context)) allowed.push(action);
      }
      return allowed;
    } catch {
      return [];
    }
  }

  /** Evaluates any predicate of the policy; used by the policy test runner and the wire endpoint. */
  async holds(predicate: string, args: FactArg[], context: Fact[]): Promise<boolean> {
    if (this.closed) throw new PolicyError('authorizer is closed');
    const engine = this.current;
    this.inFlight.set(engine, (this.inFlight.get(engine) ?? 0) + 1);
    // Released when the engine is really done, even after a timeout, so it is never freed mid-query.
    const work = engine.holds(predicate, args, context).finally(() => this.release(engine));
    return withTimeout(work, this.timeoutMs, 'policy evaluation');
  }

  async insertFacts(facts: Fact[]): Promise<void> {
    for (const f of facts) checkStoredFact(this.model, f);
    const next = this.facts.clone();
    next.insert(facts);
    await this.swap(next);
  }

  async deleteFacts(patterns: FactPattern[]): Promise<void> {
    const next = this.facts.clone();
    next.delete(patterns);
    await this.swap(next);
  }

  async knownValues(type: string): Promise<OsoValue[]> {
    return this.facts.valuesOfType(type);
  }

  storedFacts(): Fact[] {
    return this.facts.all();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.retire(this.current);
  }

  private async swap(next: FactSet): Promise<void> {
    const engine = await PolarEngine.create(this.model, next);
    const old = this.current;
    this.current = engine;
    this.facts = next;
    this.retire(old);
  }

  private retire(engine: PolarEngine): void {
    this.retired.add(engine);
    if ((this.inFlight.get(engine) ?? 0) === 0) this.dispose(engine);
  }

  private release(engine: PolarEngine): void {
    const n = (this.inFlight.get(engine) ?? 1) - 1;
    if (n > 0) this.inFlight.set(engine, n);
    else {
      this.inFlight.delete(engine);
      if (this.retired.has(engine)) this.dispose(engine);
    }
  }

  private dispose(engine: PolarEngine): void {
    this.retired.delete(engine);
    engine.free();
  }
}
