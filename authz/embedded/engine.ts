import { Oso } from 'oso';
import type { PolicyModel } from '../dialect/model.ts';
import type { FactSet } from '../facts.ts';
import { type Fact, type FactArg, PolicyError } from '../types.ts';
import { engineValue, translateFacts, translatePolicy } from './translate.ts';

/**
 * One loaded instance of the open-source Polar engine: the translated policy plus a snapshot of the
 * stored facts. Immutable: a fact change builds a new engine, so a query never sees half an update.
 */
export class PolarEngine {
  private constructor(
    private readonly oso: Oso,
    readonly model: PolicyModel,
  ) {}

  static async create(model: PolicyModel, facts: FactSet): Promise<PolarEngine> {
    const oso = new Oso();
    const policy = translatePolicy(model);
    try {
      await oso.loadStr(policy + translateFacts(model, facts.all()), 'translated.polar');
    } catch (error) {
      oso.free();
      throw new PolicyError(`the embedded engine refused the translated policy: ${(error as Error).message}`);
    }
    return new PolarEngine(oso, model);
  }

  /** True if the predicate holds for these ground arguments, with these context facts. */
  async holds(predicate: string, args: FactArg[], context: Fact[]): Promise<boolean> {
    if (context.length > 0 && this.model.usesNegation) {
      // Oso Cloud rejects queries that combine context facts with `not`; refuse the same way.
      throw new PolicyError('context facts cannot be used with a policy that uses `not`');
    }
    const ctx = context.map(([name, ...rest]) => [name, ...rest.map(engineValue)]);
    return this.oso.queryRuleOnce(`c_${predicate}`, ...args.map(engineValue), ctx);
  }

  free(): void {
    this.oso.free();
  }
}
