import { Oso as OsoCloud } from 'oso-cloud';
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
import { combinedSource, loadPolicyForReload } from '../policy-loader.ts';
import type {
  Authorizer,
  AuthzDecision,
  AuthzRequest,
  BatchAuthzDecision,
  BatchAuthzRequest,
  ContextFact,
  Fact,
  FactPattern,
  OsoValue,
  PolicyReload,
} from '../types.ts';
import { PolicyError } from '../types.ts';
import { fromWire, isOsoValue } from '../values.ts';
import { type CallTrace, callTrace, retryingFetch } from './transport.ts';

export interface OsoCloudOptions {
  url: string;
  apiKey: string;
  /** Per HTTP attempt. */
  attemptTimeoutMs?: number;
  /** Extra attempts after the first, for network errors, 429 and 5xx. */
  retries?: number;
  backoffMs?: number;
  /** Whole-call deadline, retries included. */
  deadlineMs?: number;
  /** Upload the policy at start (`oso.policy`). */
  uploadPolicy?: boolean;
  /**
   * `replace`: one atomic batch deletes every stored fact of the policy's fact predicates and inserts
   * the facts file; `insert`: only inserts; `none`: leaves the server's facts alone.
   */
  syncFacts?: 'replace' | 'insert' | 'none';
  /** Cached decisions; off by default since facts may change on the server behind our back. */
  cacheSize?: number;
  /** The directory the policy came from: what `reloadPolicy()` reads again when given none. */
  policyDir?: string;
}

/** The policy and facts this process uploaded, and decides in the name of. */
interface Loaded {
  model: PolicyModel;
  facts: FactSet;
}

/** Production PDP: Oso Cloud, or the Oso Dev Server, through the official SDK. */
export class OsoCloudAuthorizer implements Authorizer {
  readonly engine = 'oso-cloud' as const;
  private readonly client: OsoCloud;
  private readonly deadlineMs: number;
  private readonly cache: DecisionCache | undefined;
  private readonly url: string;
  private readonly syncMode: 'replace' | 'insert' | 'none';
  private readonly policyDir: string | undefined;
  /** Fact changes and reloads, one at a time. */
  private changes: Promise<unknown> = Promise.resolve();
  /** Set while a reload uploads: the server may hold the new policy with the old facts meanwhile. */
  private switching: Promise<void> | undefined;
  /** Why the server's policy is unknown (a failed reload that could not be undone): every decision denies. */
  private unknownState: string | undefined;

  private constructor(
    private loaded: Loaded,
    options: OsoCloudOptions,
  ) {
    const retries = options.retries ?? 2;
    const attemptTimeoutMs = options.attemptTimeoutMs ?? 1_000;
    const backoffMs = options.backoffMs ?? 50;
    this.deadlineMs = options.deadlineMs ?? (attemptTimeoutMs + backoffMs * 4) * (retries + 1);
    this.client = new OsoCloud(options.url, options.apiKey, {
      fetchTimeoutMillis: attemptTimeoutMs,
      fetchBuilder: retryingFetch({ retries, backoffMs }),
    });
    const size = options.cacheSize ?? 0;
    this.cache = size > 0 ? new DecisionCache(size) : undefined;
    this.url = options.url;
    this.syncMode = options.syncFacts ?? 'replace';
    this.policyDir = options.policyDir;
  }

  /** Uploads the policy and syncs facts before returning; any failure refuses to start. */
  static async create(
    model: PolicyModel,
    facts: Fact[],
    options: OsoCloudOptions,
  ): Promise<OsoCloudAuthorizer> {
    for (const f of facts) checkStoredFact(model, f);
    const authorizer = new OsoCloudAuthorizer({ model, facts: new FactSet(facts) }, options);
    try {
      if (options.uploadPolicy ?? true) await authorizer.uploadPolicy(model);
      await authorizer.syncFacts(model, facts);
    } catch (error) {
      throw new PolicyError(`Oso server at ${options.url} refused the policy or facts: ${errorText(error)}`);
    }
    return authorizer;
  }

  get model(): PolicyModel {
    return this.loaded.model;
  }

  private uploadPolicy(model: PolicyModel): Promise<unknown> {
    return this.call(() => this.client.policy(combinedSource(model)));
  }

  private async syncFacts(model: PolicyModel, facts: Fact[]): Promise<void> {
    const mode = this.syncMode;
    if (mode === 'none') return;
    await this.call(() =>
      this.client.batch((tx) => {
        if (mode === 'replace') {
          for (const { name, arity } of model.factPredicates.values()) {
            tx.delete([name, ...Array.from({ length: arity }, () => null)] as never);
          }
        }
        for (const f of facts) tx.insert(f as never);
      }),
    );
  }

  /**
   * Uploads the new policy, then syncs its facts; only after both succeed do decisions carry the
   * new policy version. Decisions wait meanwhile. If the facts fail after the policy was accepted,
   * the previous policy and facts are uploaded again; if that fails too, every decision denies
   * until a reload succeeds.
   */
  async reloadPolicy(dir?: string): Promise<PolicyReload> {
    return this.change(async () => {
      const source = dir ?? this.policyDir;
      if (source === undefined) throw new PolicyError('no policy directory to reload from');
      const policy = await loadPolicyForReload(source);
      for (const f of policy.facts) checkStoredFact(policy.model, f);
      const previous = this.loaded;
      const next: Loaded = { model: policy.model, facts: new FactSet(policy.facts) };
      let done = () => {};
      this.switching = new Promise((resolve) => {
        done = resolve;
      });
      try {
        try {
          await this.uploadPolicy(next.model);
        } catch (error) {
          throw new PolicyError(`Oso server at ${this.url} refused the policy: ${errorText(error)}`);
        }
        try {
          await this.syncFacts(next.model, policy.facts);
        } catch (error) {
          const undo = await this.uploadPolicy(previous.model)
            .then(() => this.syncFacts(previous.model, previous.facts.all()))
            .then(
              () => 'the previous policy and facts are back in place',
              (undoError: unknown) => {
                this.unknownState = `the policy on the Oso server is unknown after a failed reload (${errorText(undoError)})`;
                return `restoring the previous policy failed too (${errorText(undoError)}): every decision denies until a reload succeeds`;
              },
            );
          throw new PolicyError(`Oso server at ${this.url} refused the facts: ${errorText(error)}; ${undo}`);
        }
        this.loaded = next;
        this.unknownState = undefined;
        this.cache?.clear();
        return {
          dir: source,
          previousPolicyVersion: previous.model.version,
          policyVersion: next.model.version,
          factsVersion: next.facts.version(),
          facts: next.facts.size,
        };
      } finally {
        this.switching = undefined;
        done();
      }
    });
  }

  policyVersion(): string {
    return this.loaded.model.version;
  }

  /** Hash of the facts this process loaded and changed; changes made elsewhere are not seen. */
  factsVersion(): string {
    return this.loaded.facts.version();
  }

  async authorize(req: AuthzRequest): Promise<AuthzDecision> {
    const startedAt = performance.now();
    if (this.switching) await this.switching;
    const { model } = this.loaded;
    const versions = { policy: model.version, facts: this.loaded.facts.version() };
    const problem = requestProblem(req) ?? this.unknownState;
    if (problem !== undefined) {
      return buildDecision(this.engine, req, [], versions, startedAt, { allowed: false, error: problem });
    }
    const context = contextOf(req);
    const key = this.cache ? DecisionCache.key(req, context, versions.policy, versions.facts) : '';
    const hit = this.cache?.get(key);
    if (hit !== undefined) return { ...hit, cached: true };
    const trace: CallTrace = { attempts: 0, failures: [] };
    let outcome: Outcome;
    try {
      // Only what the policy can read is sent; Oso Cloud would ignore the rest anyway.
      const usable = usableContext(model, context);
      const allowed = await this.call(
        () => this.client.authorize(req.actor, req.action, req.resource, usable as never),
        trace,
      );
      outcome = { allowed: allowed === true };
    } catch (error) {
      outcome = { allowed: false, error: errorText(error) };
    }
    if (trace.attempts > 1) {
      outcome.note = `${trace.attempts} attempts; earlier failures: ${trace.failures.join(', ')}`;
    }
    const decision = buildDecision(this.engine, req, context, versions, startedAt, outcome);
    if (outcome.error === undefined) this.cache?.set(key, decision);
    return decision;
  }

  /**
   * Oso Cloud's list filtering: one `list` per resource type in the batch (the ids the actor may
   * perform the action on), intersected with the batch. A resource Oso Cloud does not list is denied.
   */
  async authorizeBatch(req: BatchAuthzRequest): Promise<BatchAuthzDecision> {
    const startedAt = performance.now();
    if (this.switching) await this.switching;
    const { model } = this.loaded;
    const versions = { policy: model.version, facts: this.loaded.facts.version() };
    const problem = batchProblem(req) ?? this.unknownState;
    if (problem !== undefined)
      return buildBatchDecision(this.engine, req, versions, startedAt, { error: problem });
    try {
      const usable = usableContext(model, contextOf(req));
      const types = [...new Set(req.resources.filter(wellFormedResource).map((r) => r.type))];
      const listed = new Map<string, Set<string>>();
      for (const type of types) {
        const ids = await this.call(() => this.client.list(req.actor, req.action, type, usable as never));
        listed.set(type, new Set(ids));
      }
      const allowed = req.resources.map(
        (r) => wellFormedResource(r) && listed.get(r.type)?.has(r.id) === true,
      );
      return buildBatchDecision(this.engine, req, versions, startedAt, { allowed });
    } catch (error) {
      return buildBatchDecision(this.engine, req, versions, startedAt, { error: errorText(error) });
    }
  }

  async actions(actor: OsoValue, resource: OsoValue, context: ContextFact[] = []): Promise<string[]> {
    if (this.switching) await this.switching;
    if (this.unknownState !== undefined) return [];
    try {
      const usable = usableContext(this.loaded.model, context);
      const result = await this.call(() => this.client.actions(actor, resource, usable as never));
      return [...result].sort();
    } catch {
      return [];
    }
  }

  async insertFacts(facts: Fact[]): Promise<void> {
    await this.change(async () => {
      for (const f of facts) checkStoredFact(this.loaded.model, f);
      await this.call(() =>
        this.client.batch((tx) => {
          for (const f of facts) tx.insert(f as never);
        }),
      );
      this.loaded.facts.insert(facts);
    });
  }

  async deleteFacts(patterns: FactPattern[]): Promise<void> {
    await this.change(async () => {
      await this.call(() =>
        this.client.batch((tx) => {
          for (const p of patterns) tx.delete(p as never);
        }),
      );
      this.loaded.facts.delete(patterns);
    });
  }

  async knownValues(type: string): Promise<OsoValue[]> {
    const seen = new Map<string, OsoValue>();
    for (const { name, arity } of this.loaded.model.factPredicates.values()) {
      const pattern = [name, ...Array.from({ length: arity }, () => null)];
      const facts = await this.call(() => this.client.get(pattern as never));
      for (const f of facts as unknown as Array<[string, ...Array<{ type: string; id: string }>]>) {
        for (const raw of f.slice(1)) {
          const v = fromWire(raw as { type: string; id: string });
          if (isOsoValue(v) && v.type === type) seen.set(v.id, v);
        }
      }
    }
    return [...seen.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  async close(): Promise<void> {}

  private change<T>(work: () => Promise<T>): Promise<T> {
    const run = this.changes.then(work, work);
    this.changes = run.catch(() => {});
    return run;
  }

  private call<T>(work: () => Promise<T>, trace: CallTrace = { attempts: 0, failures: [] }): Promise<T> {
    return callTrace.run(trace, () => withTimeout(work(), this.deadlineMs, 'Oso request'));
  }
}
