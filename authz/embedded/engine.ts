import { Oso } from 'oso';
import { checkFact, type PolicyModel } from '../dialect/model.ts';
import type { FactSet } from '../facts.ts';
import { type Fact, type FactArg, PolicyError } from '../types.ts';
import { contextConstants, engineValue, entryRule, translateFacts, translatePolicy } from './translate.ts';

/**
 * One loaded instance of the open-source Polar engine: the translated policy plus a snapshot of the
 * stored facts. Immutable: a fact change builds a new engine, so a query never sees half an update.
 */
export class PolarEngine {
  /** What each per-query context constant holds now, as JSON: unchanged ones are not re-sent. */
  private readonly registered = new Map<string, string>();

  private constructor(
    private readonly oso: Oso,
    readonly model: PolicyModel,
  ) {}

  static async create(model: PolicyModel, facts: FactSet): Promise<PolarEngine> {
    const oso = new Oso();
    const engine = new PolarEngine(oso, model);
    try {
      const policy = translatePolicy(model);
      // The rules name the context constants, so they must exist before the policy loads.
      engine.bindContext([]);
      await oso.loadStr(policy + translateFacts(model, facts.all()), 'translated.polar');
    } catch (error) {
      oso.free();
      throw new PolicyError(`the embedded engine refused the translated policy: ${(error as Error).message}`);
    }
    return engine;
  }

  /** True if the predicate holds for these ground arguments, with these context facts. */
  async holds(predicate: string, args: FactArg[], context: Fact[]): Promise<boolean> {
    if (context.length > 0 && this.model.usesNegation) {
      // Oso Cloud rejects queries that combine context facts with `not`; refuse the same way.
      throw new PolicyError('context facts cannot be used with a policy that uses `not`');
    }
    // The translation relies on context facts being well-formed (an actor first in has_role, …).
    for (const f of context) checkFact(this.model, f);
    const rule = entryRule(this.model, predicate, args);
    const values = args.map(engineValue);
    // The engine copies the constants into a query when the query is created, which happens before
    // the first await below: a query never sees another query's context.
    this.bindContext(context);
    return this.oso.queryRuleOnce(rule, ...values);
  }

  free(): void {
    this.oso.free();
  }

  private bindContext(context: Fact[]): void {
    for (const [name, value] of contextConstants(this.model, context)) {
      const json = JSON.stringify(value);
      if (this.registered.get(name) === json) continue;
      this.oso.registerConstant(value, name);
      this.registered.set(name, json);
    }
  }
}
