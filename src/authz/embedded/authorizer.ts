import {
  batchProblem,
  buildBatchDecision,
  buildDecision,
  contextOf,
  errorText,
  type Outcome,
  requestProblem,
  wellFormedResource,
  withTimeout,
} from '../decision.ts';
import { DecisionCache } from '../decision-cache.ts';
import { type PolicyModel, usableContext } from '../dialect/model.ts';
import { checkStoredFact, FactSet } from '../facts.ts';
import { loadPolicyForReload } from '../policy-loader.ts';
import type {
  Authorizer,
  AuthzDecision,
  AuthzRequest,
  BatchAuthzDecision,
  BatchAuthzRequest,
  ContextFact,
  Fact,
  FactArg,
  FactPattern,
  OsoValue,
  PolicyReload,
} from '../types.ts';
import { PolicyError } from '../types.ts';
import { PolarEngine } from './engine.ts';

export interface EmbeddedOptions {
  /** Per-decision deadline; past it the decision is a deny. */
  timeoutMs?: number;
  /** Cached decisions; 0 disables the cache. */
  cacheSize?: number;
  /** The directory the policy came from: what `reloadPolicy()` reads again when given none. */
  policyDir?: string;
}

/** One policy with its facts and the engine built from both: always replaced whole. */
interface Loaded {
  model: PolicyModel;
  facts: FactSet;
  engine: PolarEngine;
}

/** The default PDP: the open-source Polar engine, in process, no network. */
export class EmbeddedAuthorizer implements Authorizer {
  readonly engine = 'embedded' as const;
  private readonly cache: DecisionCache | undefined;
  private readonly timeoutMs: number;
  private readonly policyDir: string | undefined;
  private inFlight = new Map<PolarEngine, number>();
  private retired = new Set<PolarEngine>();
  private closed = false;
  /** Fact changes and reloads, one at a time: each builds on the state the previous one left. */
  private changes: Promise<unknown> = Promise.resolve();

  private constructor(
    private loaded: Loaded,
    options: EmbeddedOptions,
  ) {
    this.timeoutMs = options.timeoutMs ?? 2_000;
    const size = options.cacheSize ?? 10_000;
    this.cache = size > 0 ? new DecisionCache(size) : undefined;
    this.policyDir = options.policyDir;
  }

  /** Builds the engine completely before returning: a bad policy or fact never half-loads. */
  static async create(
    model: PolicyModel,
    facts: Fact[],
    options: EmbeddedOptions = {},
  ): Promise<EmbeddedAuthorizer> {
    return new EmbeddedAuthorizer(await EmbeddedAuthorizer.build(model, facts), options);
  }

  private static async build(model: PolicyModel, facts: Fact[]): Promise<Loaded> {
    for (const f of facts) checkStoredFact(model, f);
    const set = new FactSet(facts);
    return { model, facts: set, engine: await PolarEngine.create(model, set) };
  }

  get model(): PolicyModel {
    return this.loaded.model;
  }

  policyVersion(): string {
    return this.loaded.model.version;
  }

  factsVersion(): string {
    return this.loaded.facts.version();
  }

  async authorize(req: AuthzRequest): Promise<AuthzDecision> {
    const startedAt = performance.now();
    // One snapshot per decision: a reload in between never mixes two policies.
    const loaded = this.loaded;
    const versions = { policy: loaded.model.version, facts: loaded.facts.version() };
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
      const usable = usableContext(loaded.model, context);
      const allowed = await this.holdsIn(loaded, 'allow', [req.actor, req.action, req.resource], usable);
      outcome = { allowed };
    } catch (error) {
      outcome = { allowed: false, error: errorText(error) };
    }
    const decision = buildDecision(this.engine, req, context, versions, startedAt, outcome);
    if (outcome.error === undefined) this.cache?.set(key, decision);
    return decision;
  }

  /** One query per resource, all on the same snapshot: what Oso Cloud's list filtering answers remotely. */
  async authorizeBatch(req: BatchAuthzRequest): Promise<BatchAuthzDecision> {
    const startedAt = performance.now();
    const loaded = this.loaded;
    const versions = { policy: loaded.model.version, facts: loaded.facts.version() };
    const problem = batchProblem(req);
    if (problem !== undefined)
      return buildBatchDecision(this.engine, req, versions, startedAt, { error: problem });
    try {
      const usable = usableContext(loaded.model, contextOf(req));
      const allowed: boolean[] = [];
      for (const resource of req.resources) {
        allowed.push(
          wellFormedResource(resource) &&
            (await this.holdsIn(loaded, 'allow', [req.actor, req.action, resource], usable)),
        );
      }
      return buildBatchDecision(this.engine, req, versions, startedAt, { allowed });
    } catch (error) {
      return buildBatchDecision(this.engine, req, versions, startedAt, { error: errorText(error) });
    }
  }

  async actions(actor: OsoValue, resource: OsoValue, context: ContextFact[] = []): Promise<string[]> {
    const loaded = this.loaded;
    try {
      const usable = usableContext(loaded.model, context);
      const allowed: string[] = [];
      for (const action of [...loaded.model.strings].sort()) {
        if (await this.holdsIn(loaded, 'allow', [actor, action, resource], usable)) allowed.push(action);
      }
      return allowed;
    } catch {
      return [];
    }
  }

  /** Evaluates any predicate of the policy; used by the policy test runner and the wire endpoint. */
  async holds(predicate: string, args: FactArg[], context: Fact[]): Promise<boolean> {
    return this.holdsIn(this.loaded, predicate, args, context);
  }

  private async holdsIn(
    loaded: Loaded,
    predicate: string,
    args: FactArg[],
    context: Fact[],
  ): Promise<boolean> {
    if (this.closed) throw new PolicyError('authorizer is closed');
    const { engine } = loaded;
    this.inFlight.set(engine, (this.inFlight.get(engine) ?? 0) + 1);
    // Released when the engine is really done, even after a timeout, so it is never freed mid-query.
    const work = engine.holds(predicate, args, context).finally(() => this.release(engine));
    return withTimeout(work, this.timeoutMs, 'policy evaluation');
  }

  async insertFacts(facts: Fact[]): Promise<void> {
    await this.change(async () => {
      const { model, facts: current } = this.loaded;
      for (const f of facts) checkStoredFact(model, f);
      const next = current.clone();
      next.insert(facts);
      this.swap({ model, facts: next, engine: await PolarEngine.create(model, next) });
    });
  }

  async deleteFacts(patterns: FactPattern[]): Promise<void> {
    await this.change(async () => {
      const { model, facts: current } = this.loaded;
      const next = current.clone();
      next.delete(patterns);
      this.swap({ model, facts: next, engine: await PolarEngine.create(model, next) });
    });
  }

  async reloadPolicy(dir?: string): Promise<PolicyReload> {
    return this.change(async () => {
      if (this.closed) throw new PolicyError('authorizer is closed');
      const source = dir ?? this.policyDir;
      if (source === undefined) throw new PolicyError('no policy directory to reload from');
      const policy = await loadPolicyForReload(source);
      let next: Loaded;
      try {
        next = await EmbeddedAuthorizer.build(policy.model, policy.facts);
      } catch (error) {
        throw new PolicyError(errorText(error));
      }
      const previousPolicyVersion = this.loaded.model.version;
      this.swap(next);
      // Keys carry both versions, so old entries could never be served; they would only take room.
      this.cache?.clear();
      return {
        dir: source,
        previousPolicyVersion,
        policyVersion: next.model.version,
        factsVersion: next.facts.version(),
        facts: next.facts.size,
      };
    });
  }

  async knownValues(type: string): Promise<OsoValue[]> {
    return this.loaded.facts.valuesOfType(type);
  }

  storedFacts(): Fact[] {
    return this.loaded.facts.all();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.retire(this.loaded.engine);
  }

  private change<T>(work: () => Promise<T>): Promise<T> {
    const run = this.changes.then(work, work);
    this.changes = run.catch(() => {});
    return run;
  }

  /** Everything at once: a decision started before sees the old state whole, one after the new. */
  private swap(next: Loaded): void {
    const old = this.loaded.engine;
    this.loaded = next;
    if (this.closed) this.retire(next.engine);
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
