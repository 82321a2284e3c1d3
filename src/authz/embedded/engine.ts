import { Oso } from 'oso';
import { Polar as FfiPolar } from 'oso/dist/src/polar_wasm_api.js';
import { type PolicyModel, usableContext } from '../dialect/model.ts';
import type { FactSet } from '../facts.ts';
import { type Fact, type FactArg, PolicyError } from '../types.ts';
import {
  contextAllowsFastPath,
  contextConstants,
  engineValue,
  entryChecks,
  entryRule,
  matchesPrimitive,
  translateProgram,
} from './translate.ts';

/** What the engine needs from a Polar runtime: load, bind constants, ask one rule once. */
interface PolarRuntime {
  load(text: string): Promise<void>;
  registerConstant(name: string, value: unknown): void;
  /** Binds nothing and awaits nothing between creating the query and reading its constants. */
  holdsOnce(rule: string, args: unknown[]): Promise<boolean> | boolean;
  free(): void;
}

/**
 * The Oso wrapper: needed when a rule checks a primitive type (`matches String`), which the engine
 * asks the host about.
 */
class WrappedRuntime implements PolarRuntime {
  private readonly oso = new Oso();
  async load(text: string): Promise<void> {
    await this.oso.loadStr(text, 'translated.polar');
  }
  registerConstant(name: string, value: unknown): void {
    this.oso.registerConstant(value, name);
  }
  holdsOnce(rule: string, args: unknown[]): Promise<boolean> {
    return this.oso.queryRuleOnce(rule, ...args);
  }
  free(): void {
    this.oso.free();
  }
}

/**
 * The engine's own query loop, without the wrapper's per-query host clone and async generator: the
 * translated program never calls back into JavaScript, so a query runs to its first result (or to
 * the end) synchronously. Any other event is refused.
 */
class DirectRuntime implements PolarRuntime {
  private readonly polar = new FfiPolar();
  async load(text: string): Promise<void> {
    this.polar.load([{ src: text, filename: 'translated.polar' }]);
    this.drainMessages();
    const inline = this.polar.nextInlineQuery();
    if (inline !== undefined) {
      inline.free();
      throw new PolicyError('unexpected inline query in the translated policy');
    }
  }
  registerConstant(name: string, value: unknown): void {
    this.polar.registerConstant(name, polarTerm(value));
  }
  holdsOnce(rule: string, args: unknown[]): boolean {
    const query = this.polar.newQueryFromTerm({ value: { Call: { name: rule, args: args.map(polarTerm) } } });
    try {
      const event = query.nextEvent() as Record<string, unknown>;
      if (event.Result !== undefined) return true;
      if (event.Done !== undefined) return false;
      throw new PolicyError(`the engine asked the host for ${Object.keys(event)[0] ?? 'something'}`);
    } finally {
      while (query.nextMessage() !== undefined) {}
      query.free();
    }
  }
  free(): void {
    this.polar.free();
  }
  private drainMessages(): void {
    while (this.polar.nextMessage() !== undefined) {}
  }
}

/** The engine's term encoding, for the values a query and a context constant can hold. */
function polarTerm(v: unknown): unknown {
  if (typeof v === 'string') return { value: { String: v } };
  if (typeof v === 'boolean') return { value: { Boolean: v } };
  if (typeof v === 'number' && Number.isSafeInteger(v)) return { value: { Number: { Integer: v } } };
  if (Array.isArray(v)) return { value: { List: v.map(polarTerm) } };
  throw new PolicyError(`cannot pass ${JSON.stringify(v)} to the engine`);
}

/**
 * One loaded instance of the open-source Polar engine: the translated policy plus a snapshot of the
 * stored facts (and the roles and permissions precomputed from them). Immutable: a fact change
 * builds a new engine, so a query never sees half an update, nor a stale precomputation.
 */
export class PolarEngine {
  /** What each per-query context constant holds now, as JSON: unchanged ones are not re-sent. */
  private readonly registered = new Map<string, string>();

  private constructor(
    private readonly runtime: PolarRuntime,
    readonly model: PolicyModel,
    /** True when the program has the precomputed fast path (`f_…` rules). */
    private readonly fast: boolean,
  ) {}

  static async create(model: PolicyModel, facts: FactSet): Promise<PolarEngine> {
    let program: ReturnType<typeof translateProgram>;
    try {
      program = translateProgram(model, facts.all());
    } catch (error) {
      throw new PolicyError(`the embedded engine refused the translated policy: ${(error as Error).message}`);
    }
    const runtime = program.usesHost ? new WrappedRuntime() : new DirectRuntime();
    const engine = new PolarEngine(runtime, model, program.fast);
    try {
      // The rules name the context constants, so they must exist before the policy loads.
      engine.bindContext([]);
      await runtime.load(program.text);
    } catch (error) {
      runtime.free();
      throw new PolicyError(`the embedded engine refused the translated policy: ${(error as Error).message}`);
    }
    return engine;
  }

  /** True if the predicate holds for these ground arguments, with these context facts. */
  async holds(predicate: string, args: FactArg[], given: Fact[]): Promise<boolean> {
    if (given.length > 0 && this.model.usesNegation) {
      // Oso Cloud rejects queries that combine context facts with `not`; refuse the same way.
      throw new PolicyError('context facts cannot be used with a policy that uses `not`');
    }
    // The translation relies on context facts being well-formed (an actor first in has_role, …);
    // facts of predicates no rule uses match nothing and are left out, as Oso Cloud does.
    const context = usableContext(this.model, given);
    const checks = entryChecks(this.model).get(`${predicate}/${args.length}`);
    if (checks) {
      for (const [i, type] of checks) if (!matchesPrimitive(args[i]!, type)) return false;
    }
    const rule = entryRule(this.model, predicate, args, this.fast && contextAllowsFastPath(context));
    const values = args.map(engineValue);
    // The engine copies the constants into a query when the query is created, which happens before
    // any await: a query never sees another query's context.
    this.bindContext(context);
    return this.runtime.holdsOnce(rule, values);
  }

  free(): void {
    this.runtime.free();
  }

  private bindContext(context: Fact[]): void {
    for (const [name, value] of contextConstants(this.model, context)) {
      const json = JSON.stringify(value);
      if (this.registered.get(name) === json) continue;
      this.runtime.registerConstant(name, value);
      this.registered.set(name, json);
    }
  }
}
