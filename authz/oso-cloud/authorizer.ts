import { Oso as OsoCloud } from 'oso-cloud';
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
import { combinedSource } from '../policy-loader.ts';
import type {
  Authorizer,
  AuthzDecision,
  AuthzRequest,
  ContextFact,
  Fact,
  FactPattern,
  OsoValue,
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
}

/** Production PDP: Oso Cloud, or the Oso Dev Server, through the official SDK. */
export class OsoCloudAuthorizer implements Authorizer {
  readonly engine = 'oso-cloud' as const;
  private readonly client: OsoCloud;
  private readonly deadlineMs: number;
  private readonly cache: DecisionCache | undefined;

  private constructor(
    readonly model: PolicyModel,
    private readonly facts: FactSet,
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
  }

  /** Uploads the policy and syncs facts before returning; any failure refuses to start. */
  static async create(
    model: PolicyModel,
    facts: Fact[],
    options: OsoCloudOptions,
  ): Promise<OsoCloudAuthorizer> {
    for (const f of facts) checkStoredFact(model, f);
    const authorizer = new OsoCloudAuthorizer(model, new FactSet(facts), options);
    try {
      if (options.uploadPolicy ?? true)
        await authorizer.call(() => authorizer.client.policy(combinedSource(model)));
      const mode = options.syncFacts ?? 'replace';
      if (mode !== 'none') {
        await authorizer.call(() =>
          authorizer.client.batch((tx) => {
            if (mode === 'replace') {
              for (const { name, arity } of model.factPredicates.values()) {
                tx.delete([name, ...Array.from({ length: arity }, () => null)] as never);
              }
            }
            for (const f of facts) tx.insert(f as never);
          }),
        );
      }
    } catch (error) {
      throw new PolicyError(`Oso server at ${options.url} refused the policy or facts: ${errorText(error)}`);
    }
    return authorizer;
  }

  policyVersion(): string {
    return this.model.version;
  }

  /** Hash of the facts this process loaded and changed; changes made elsewhere are not seen. */
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
    if (hit !== undefined) return { ...hit, cached: true };
    const trace: CallTrace = { attempts: 0, failures: [] };
    let outcome: Outcome;
    try {
      for (const f of context) checkFact(this.model, f);
      const allowed = await this.call(
        () => this.client.authorize(req.actor, req.action, req.resource, context as never),
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

  async actions(actor: OsoValue, resource: OsoValue, context: ContextFact[] = []): Promise<string[]> {
    try {
      for (const f of context) checkFact(this.model, f);
      const result = await this.call(() => this.client.actions(actor, resource, context as never));
      return [...result].sort();
    } catch {
      return [];
    }
  }

  async insertFacts(facts: Fact[]): Promise<void> {
    for (const f of facts) checkStoredFact(this.model, f);
    await this.call(() =>
      this.client.batch((tx) => {
        for (const f of facts) tx.insert(f as never);
      }),
    );
    this.facts.insert(facts);
  }

  async deleteFacts(patterns: FactPattern[]): Promise<void> {
    await this.call(() =>
      this.client.batch((tx) => {
        for (const p of patterns) tx.delete(p as never);
      }),
    );
    this.facts.delete(patterns);
  }

  async knownValues(type: string): Promise<OsoValue[]> {
    const seen = new Map<string, OsoValue>();
    for (const { name, arity } of this.model.factPredicates.values()) {
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

  private call<T>(work: () => Promise<T>, trace: CallTrace = { attempts: 0, failures: [] }): Promise<T> {
    return callTrace.run(trace, () => withTimeout(work(), this.deadlineMs, 'Oso request'));
  }
}
