import type { Block, Expr, Rule, Shorthand, Term } from '../dialect/ast.ts';
import { ABSTRACT_TYPES, type PolicyModel, PRIMITIVE_TYPES } from '../dialect/model.ts';
import { type Fact, type FactArg, PolicyError } from '../types.ts';
import { isOsoValue } from '../values.ts';
import { canMaterialize, type Kind, materialize, RuleNeeds } from './materialize.ts';

/**
 * Oso Cloud Polar → open-source Polar (oso 0.27.3).
 *
 * The open-source engine's resource blocks differ from Oso Cloud's (reversed `has_relation`, no
 * `global`, no literals, no facts), so instead of mapping block to block we expand every shorthand
 * rule the way Oso Cloud defines it and emit plain rules:
 * - entities `User{"alice"}` become lists `["User", "alice"]`; strings, integers, booleans stay as they are;
 * - every predicate `p/n` becomes the rule `c_p`; stored facts are ground clauses of `c_p` itself,
 *   which the engine indexes on their constant arguments;
 * - the query's context facts of `p/n` are a per-query constant `w_ctx_p_n` (a list of argument
 *   lists, bound when the query is created), so each call of a fact predicate reads
 *   `(c_p(args) or [args] in w_ctx_p_n)`;
 * - type checks are unifications (`x = ["Tool", _]`) or lookups in generated type tables, never
 *   calls back into JavaScript;
 * - `has_relation` keeps Oso Cloud's argument order throughout, since we define it ourselves.
 * The engine charges for every rule call and every argument, so the translation avoids helper rules
 * and extra arguments. Names are prefixed so no rule collides with the engine's built-in rule types.
 */
export function translatePolicy(model: PolicyModel, stored?: Set<string>): string {
  for (const t of model.resources.keys()) {
    if (PRIMITIVE_TYPES.has(t)) throw new PolicyError(`unsupported construct: a type named ${t}`);
  }
  return new Translator(model, 'full', stored).program();
}

/** What the engine loads: the translated policy, the stored facts, and the precomputed fast path. */
export interface Program {
  text: string;
  /** True when the program has the `f_…` rules for queries whose context adds no roles or relations. */
  fast: boolean;
  /** True when a rule checks a primitive type (`matches`), which calls back into the host. */
  usesHost: boolean;
}

/**
 * The policy translated for one snapshot of the stored facts. Predicates without stored facts are
 * read from the context only, and, when the policy allows it, every role and permission the
 * resource blocks derive from stored facts alone is precomputed (`materialize`) as ground clauses
 * of the `f_…` rules: a query whose context holds no role or relation facts then finds them with
 * one indexed lookup instead of a chain of rule calls. The snapshot is immutable (a fact change
 * builds a new engine), so the precomputed facts are never stale.
 */
export function translateProgram(model: PolicyModel, facts: Fact[]): Program {
  const stored = new Set(facts.map(([name, ...args]) => `${name}/${args.length}`));
  for (const t of model.resources.keys()) {
    if (PRIMITIVE_TYPES.has(t)) throw new PolicyError(`unsupported construct: a type named ${t}`);
  }
  const full = new Translator(model, 'full', stored);
  const parts = [full.program(), translateFacts(model, facts)];
  let usesHost = full.usesHost;
  const fast = canMaterialize(model, dispatchPositions(model));
  if (fast) {
    // In rules of their own (`m_…`): the engine weighs every clause a call may match before trying
    // the first, so facts that share a rule with clauses cost a lookup plus those clauses.
    const derived: string[] = [];
    for (const d of materialize(model, facts)) {
      derived.push(
        `m_${d.kind}__${d.resource.type}(${polarValue(d.actor)}, ${q(d.name)}, ${polarValue(d.resource)});`,
      );
    }
    parts.push(`${derived.join('\n')}\n`);
    const tr = new Translator(model, 'fast', stored);
    parts.push(tr.program());
    usesHost ||= tr.usesHost;
  }
  return { text: parts.join(''), fast, usesHost };
}

/**
 * True when the context leaves the precomputed roles and permissions complete: it adds no role or
 * relation facts (every other fact predicate is read at query time on the fast path too).
 */
export function contextAllowsFastPath(context: Fact[]): boolean {
  for (const [name] of context) if (name === 'has_role' || name === 'has_relation') return false;
  return true;
}

/** Ground clauses for the stored facts. */
export function translateFacts(model: PolicyModel, facts: Iterable<Fact>): string {
  const dispatch = dispatchPositions(model);
  const out: string[] = [];
  for (const [name, ...args] of facts) {
    const pos = dispatch.get(`${name}/${args.length}`);
    const at = pos === undefined ? undefined : args[pos];
    const rule = at !== undefined && isOsoValue(at) ? `${name}__${at.type}` : name;
    out.push(`c_${rule}(${args.map(polarValue).join(', ')});`);
  }
  return `${out.join('\n')}\n`;
}

/** Name of the per-query constant holding the context facts of `name/arity`. */
export function contextConstant(name: string, arity: number): string {
  return `w_ctx_${name}_${arity}`;
}

/**
 * The rule a query enters: the per-type rule when the dispatch argument is an entity of a declared
 * type; fact predicates go through `q_…`, which also reads the context; on the fast path, derived
 * predicates go through their `f_…` rule.
 */
export function entryRule(model: PolicyModel, name: string, args: FactArg[], fast = false): string {
  const key = `${name}/${args.length}`;
  const prefix =
    fast && model.derived.has(key) && !MATERIALIZED.has(key)
      ? 'f_'
      : model.factPredicates.has(key)
        ? 'q_'
        : 'c_';
  const pos = dispatchPositions(model).get(key);
  const at = pos === undefined ? undefined : args[pos];
  if (at !== undefined && isOsoValue(at) && model.resources.has(at.type))
    return `${prefix}${name}__${at.type}`;
  return `${prefix}${name}`;
}

/**
 * Primitive type checks moved out of the engine: for a predicate that no rule calls (so only a
 * query enters it), a position every clause types as the same primitive, with a variable. The
 * caller checks those arguments before the query, instead of a `matches` that calls back into
 * JavaScript on every success.
 */
export function entryChecks(model: PolicyModel): Map<string, Map<number, string>> {
  const cached = entryChecksCache.get(model);
  if (cached) return cached;
  const called = new Set<string>();
  const walk = (e: Expr): void => {
    if (e.kind === 'call') called.add(`${e.name}/${e.args.length}`);
    else if (e.kind === 'not') walk(e.item);
    else if (e.kind !== 'compare') e.items.forEach(walk);
  };
  for (const r of model.rules) if (r.body) walk(r.body);
  const result = new Map<string, Map<number, string>>();
  for (const key of model.derived) {
    const [name] = key.split('/');
    if (called.has(key) || name === 'has_role' || name === 'has_permission' || name === 'has_relation')
      continue;
    const rules = model.rules.filter((r) => `${r.name}/${r.params.length}` === key);
    const checks = new Map<number, string>();
    rules[0]?.params.forEach((_, i) => {
      const type = rules[0]!.params[i]!.type;
      if (type === undefined || !PRIMITIVE_TYPES.has(type)) return;
      if (rules.every((r) => r.params[i]?.type === type && r.params[i]?.term.kind === 'var'))
        checks.set(i, type);
    });
    if (checks.size > 0) result.set(key, checks);
  }
  entryChecksCache.set(model, result);
  return result;
}

const entryChecksCache = new WeakMap<PolicyModel, Map<string, Map<number, string>>>();

/** The same test as the engine's `matches String` / `Integer` / `Boolean` on a query argument. */
export function matchesPrimitive(value: FactArg, type: string): boolean {
  if (type === 'String') return typeof value === 'string';
  if (type === 'Integer') return typeof value === 'number' && Number.isInteger(value);
  if (type === 'Boolean') return typeof value === 'boolean';
  return false;
}

/** Values of the per-query constants: every fact predicate's context facts, empty when none. */
export function contextConstants(model: PolicyModel, context: Fact[]): Map<string, unknown[][]> {
  const values = new Map<string, unknown[][]>();
  for (const { name, arity } of model.factPredicates.values()) values.set(contextConstant(name, arity), []);
  for (const [name, ...args] of context) {
    values.get(contextConstant(name, args.length))?.push(args.map(engineValue));
  }
  return values;
}

/** The engine's form of a value: entities as `[type, id]` lists. */
export function engineValue(v: FactArg): unknown {
  return isOsoValue(v) ? [v.type, v.id] : v;
}

/**
 * Predicates split into one rule per entity type of one argument (`c_has_role__Tool`), so a call
 * reaches only the clauses and facts of that type: the engine otherwise tries every clause of the
 * predicate. Only when every clause takes an entity there; otherwise the predicate stays whole.
 */
const DISPATCH_CANDIDATES = new Map([
  ['has_role/3', 2],
  ['has_permission/3', 2],
  ['has_relation/3', 0],
  ['allow/3', 2],
]);

/** The predicates precomputed on the fast path, into `m_…` rules. */
const MATERIALIZED = new Set(['has_role/3', 'has_permission/3']);

const dispatchCache = new WeakMap<PolicyModel, Map<string, number>>();

export function dispatchPositions(model: PolicyModel): Map<string, number> {
  const cached = dispatchCache.get(model);
  if (cached) return cached;
  const result = new Map<string, number>();
  for (const [key, pos] of DISPATCH_CANDIDATES) {
    const rules = model.rules.filter((r) => `${r.name}/${r.params.length}` === key);
    const entityOnly = rules.every((r) => {
      const p = r.params[pos];
      if (p === undefined) return false;
      if (p.term.kind === 'entity') return true;
      return p.type !== undefined && (ABSTRACT_TYPES.has(p.type) || model.resources.has(p.type));
    });
    if (entityOnly) result.set(key, pos);
  }
  dispatchCache.set(model, result);
  return result;
}

function vars(arity: number): string[] {
  return Array.from({ length: arity }, (_, i) => `a${i}`);
}

function polarValue(v: FactArg): string {
  if (isOsoValue(v)) return `[${q(v.type)}, ${q(v.id)}]`;
  return typeof v === 'string' ? q(v) : String(v);
}

function q(s: string): string {
  return JSON.stringify(s);
}

/** Static entity types of a clause's variables, where the translation knows them. */
type Types = Map<string, string>;

/**
 * `full`: the general program (`c_…` rules), reading every fact predicate from the store and the
 * context. `fast`: the `f_…` rules, for queries whose context adds no roles or relations: role and
 * relation facts come from the store only, and a shorthand is kept only where its body may hold
 * by a hand-written rule or a global role (RuleNeeds); the rest is precomputed.
 */
type Mode = 'full' | 'fast';

class Translator {
  readonly dispatch: Map<string, number>;
  usesHost = false;
  private n = 0;
  private readonly prefix: string;
  private readonly needs: RuleNeeds | undefined;
  private readonly lifted: Map<string, Map<number, string>>;

  /**
   * True when every derivation of has_role/has_permission binds an actor first: stored and context
   * facts are checked for that before they reach the engine (checkFact), and every hand-written
   * has_role/has_permission rule types its first parameter as an actor. By induction on the
   * derivation, a shorthand clause then needs no actor check of its own.
   */
  private readonly actorSafe: boolean;

  constructor(
    private readonly model: PolicyModel,
    private readonly mode: Mode,
    /** `name/arity` of the predicates with stored facts; the others are read from the context only. */
    private readonly stored?: Set<string>,
  ) {
    this.dispatch = dispatchPositions(model);
    this.prefix = mode === 'fast' ? 'f_' : 'c_';
    this.needs = mode === 'fast' ? new RuleNeeds(model) : undefined;
    this.lifted = entryChecks(model);
    const actorTyped = (t: string | undefined) =>
      t === 'Actor' || (t !== undefined && model.actorTypes.has(t));
    this.actorSafe = model.rules
      .filter((r) => r.name === 'has_role' || r.name === 'has_permission')
      .every((r) => actorTyped(r.params[0]?.type));
  }

  program(): string {
    return this.mode === 'full' ? this.fullProgram() : this.fastProgram();
  }

  private fullProgram(): string {
    const model = this.model;
    const types = [...model.resources.keys()];
    const out: string[] = [];
    out.push('# Generated from the Oso Cloud policy; do not edit.');
    // Silences the engine's "no allow rule" warning; authorization goes through c_allow.
    out.push('allow(_actor, _action, _resource) if 1 = 2;');
    for (const t of model.actorTypes) out.push(`w_actor_type(${q(t)});`);
    for (const t of types) out.push(`w_resource_type(${q(t)});`);
    // Every rule a call can name is defined; a one-element list never equals a value.
    for (const [key, { name, arity }] of this.predicates()) {
      const never = Array.from({ length: arity }, () => '["w_never"]').join(', ');
      const list = vars(arity);
      const pos = this.dispatch.get(key);
      const names = pos === undefined ? [name] : [name, ...types.map((t) => `${name}__${t}`)];
      for (const n of names) if (n !== name || pos === undefined) out.push(`c_${n}(${never});`);
      if (pos !== undefined) {
        // Calls whose dispatch argument has no static type go through the per-type rules.
        for (const t of types) {
          out.push(
            `c_${name}(${list.join(', ')}) if ${list[pos]} = [${q(t)}, _] and c_${name}__${t}(${list.join(', ')});`,
          );
        }
      }
      if (model.factPredicates.has(key)) {
        for (const n of names) {
          out.push(
            `q_${n}(${list.join(', ')}) if (c_${n}(${list.join(', ')}) or [${list.join(', ')}] in ${contextConstant(name, arity)});`,
          );
        }
      }
    }
    for (const block of model.resources.values()) {
      for (const sh of block.shorthands) out.push(this.shorthand(block, sh));
    }
    for (const rule of model.rules) out.push(...this.rule(rule));
    return `${out.join('\n')}\n`;
  }

  private fastProgram(): string {
    const model = this.model;
    const types = [...model.resources.keys()];
    const out: string[] = [];
    for (const key of model.derived) {
      const [name, a] = key.split('/');
      const arity = Number(a);
      const never = Array.from({ length: arity }, () => '["w_never"]').join(', ');
      const list = vars(arity).join(', ');
      const pos = this.dispatch.get(key);
      const names = pos === undefined ? [name!] : types.map((t) => `${name}__${t}`);
      for (const n of names) out.push(`f_${n}(${never});`);
      const prefixes = MATERIALIZED.has(key) ? ['f_', 'm_'] : ['f_'];
      if (MATERIALIZED.has(key)) for (const n of names) out.push(`m_${n}(${never});`);
      if (pos !== undefined) {
        for (const f of prefixes) {
          out.push(`${f}${name}(${never});`);
          for (const t of types) {
            out.push(`${f}${name}(${list}) if a${pos} = [${q(t)}, _] and ${f}${name}__${t}(${list});`);
          }
        }
      }
      // Stored facts of a predicate that rules also define, where they are not precomputed.
      if (model.factPredicates.has(key) && key !== 'has_role/3') {
        for (const n of names) out.push(`f_${n}(${list}) if c_${n}(${list});`);
      }
    }
    for (const block of model.resources.values()) {
      for (const sh of block.shorthands) {
        if (this.needs!.bodyNeedsRules(block, sh)) out.push(this.shorthand(block, sh));
      }
    }
    for (const rule of model.rules) out.push(...this.rule(rule));
    return `${out.join('\n')}\n`;
  }

  /** Fact predicates and dispatched predicates: the rules the generated code may call. */
  predicates(): Map<string, { name: string; arity: number }> {
    const all = new Map(this.model.factPredicates);
    for (const key of this.dispatch.keys()) {
      if (!this.model.derived.has(key) && !this.model.factPredicates.has(key)) continue;
      const [name, arity] = key.split('/');
      all.set(key, { name: name!, arity: Number(arity) });
    }
    return all;
  }

  /**
   * A call: the per-type rule when the dispatch argument's type is known, plus the context facts
   * (none for roles and relations on the fast path; only those for a predicate nothing stores).
   */
  call(name: string, args: string[], types: Types): string {
    const key = `${name}/${args.length}`;
    const pos = this.dispatch.get(key);
    const known = pos === undefined ? undefined : types.get(args[pos]!);
    const rule = known === undefined ? name : `${name}__${known}`;
    const list = args.join(', ');
    const derived = this.model.derived.has(key);
    if (this.mode === 'fast') {
      if (MATERIALIZED.has(key)) {
        // The precomputed facts, then the rules, unless no rule can derive this name on this type.
        const precomputed = `m_${rule}(${list})`;
        const literal = args[1]?.startsWith('"') ? (JSON.parse(args[1]) as string) : undefined;
        const needs = this.needs!;
        if (known !== undefined && !needs.hasAny(name as Kind, known)) return precomputed;
        if (known !== undefined && literal !== undefined && !needs.has(name as Kind, known, literal))
          return precomputed;
        return `(${precomputed} or f_${rule}(${list}))`;
      }
      if (derived) return `f_${rule}(${list})`;
      if (name === 'has_role' || name === 'has_relation') return `c_${rule}(${list})`;
    }
    if (!this.model.factPredicates.has(key)) return `c_${rule}(${list})`;
    const context = `[${list}] in ${contextConstant(name, args.length)}`;
    if (!derived && this.stored !== undefined && !this.stored.has(key)) return context;
    return `(c_${rule}(${list}) or ${context})`;
  }

  shorthand(block: Block, sh: Shorthand): string {
    const kind = (b: Block, name: string) => (b.roles.includes(name) ? 'has_role' : 'has_permission');
    const pred = kind(block, sh.head);
    const types: Types = new Map([['resource', block.type]]);
    const body = sh.body;
    let cond: string;
    if (body.kind === 'local') {
      cond = this.call(kind(block, body.name), ['actor', q(body.name), 'resource'], types);
    } else if (body.kind === 'global') {
      cond = this.call('has_role', ['actor', q(body.name)], types);
    } else {
      const target = block.relations.get(body.relation)!;
      const other = this.model.resources.get(target)!;
      types.set('related', target);
      cond =
        `${this.call('has_relation', ['resource', q(body.relation), 'related'], types)} and related = [${q(target)}, _] and ` +
        this.call(kind(other, body.name), ['actor', q(body.name), 'related'], types);
    }
    const dispatched = this.dispatch.has(`${pred}/3`);
    // Dropped where every derivation already ends in a checked fact or a typed rule (see actorSafe).
    const actorCheck = this.actorSafe ? '' : ' and actor = [_w_at, _] and w_actor_type(_w_at)';
    const head = dispatched ? `${this.prefix}${pred}__${block.type}` : `${this.prefix}${pred}`;
    // The resource type selects the clause; the actor check runs only once the body holds.
    const typeCheck = dispatched ? '' : `resource = [${q(block.type)}, _] and `;
    const resource = dispatched && body.kind === 'global' ? '_resource' : 'resource';
    return `${head}(actor, ${q(sh.head)}, ${resource}) if ${typeCheck}${cond}${actorCheck};`;
  }

  /** One clause, or one per entity type when an abstract-typed argument selects the rule. */
  rule(rule: Rule): string[] {
    const key = `${rule.name}/${rule.params.length}`;
    const pos = this.dispatch.get(key);
    const p = pos === undefined ? undefined : rule.params[pos];
    if (p === undefined) return [this.clause(rule, rule.name, undefined)];
    if (p.term.kind === 'entity') return [this.clause(rule, `${rule.name}__${p.term.type}`, undefined)];
    const t = p.type!;
    if (!ABSTRACT_TYPES.has(t)) return [this.clause(rule, `${rule.name}__${t}`, { index: pos!, type: t })];
    const concrete = t === 'Actor' ? [...this.model.actorTypes] : [...this.model.resources.keys()];
    return concrete.map((c) => this.clause(rule, `${rule.name}__${c}`, { index: pos!, type: c }));
  }

  /**
   * `fixed`: the argument a per-type rule is named after. Every call of `p__T` passes a `[T, _]`
   * there (the entry picks it by the argument's type, a dispatcher clause or a caller's guard has
   * checked it), so that argument needs no guard of its own.
   */
  private clause(rule: Rule, name: string, fixed: { index: number; type: string } | undefined): string {
    const params: string[] = [];
    const guards: string[] = [];
    const late: string[] = [];
    const types: Types = new Map();
    const lifted = this.lifted.get(`${rule.name}/${rule.params.length}`);
    rule.params.forEach((p, i) => {
      const term = translateTerm(p.term);
      params.push(term);
      const type = fixed?.index === i ? fixed.type : p.type;
      if (type === undefined) return;
      if (fixed?.index === i) {
        if (p.term.kind === 'var') types.set(term, type);
        return;
      }
      if (PRIMITIVE_TYPES.has(type)) {
        // Checked by the caller before the query (entryChecks).
        if (lifted?.get(i) === type) return;
        late.push(`${term} matches ${type}`);
        this.usesHost = true;
      } else if (type === 'Actor' || type === 'Resource') {
        guards.push(this.typeGuard(term, type === 'Actor' ? this.model.actorTypes : this.model.resources));
      } else if (this.model.resources.has(type)) {
        guards.push(`${term} = [${q(type)}, _]`);
        if (p.term.kind === 'var') types.set(term, type);
      }
    });
    const conds = [...guards, ...(rule.body ? [this.expr(rule.body, types)] : []), ...late];
    const head = `${this.prefix}${name}(${params.join(', ')})`;
    return conds.length === 0 ? `${head};` : `${head} if ${conds.join(' and ')};`;
  }

  /** One of a few types: a disjunction of unifications; many: a lookup in the generated table. */
  private typeGuard(term: string, types: Set<string> | Map<string, unknown>): string {
    const names = [...types.keys()];
    if (names.length <= 3) return `(${names.map((t) => `${term} = [${q(t)}, _]`).join(' or ')})`;
    const v = `_w_t${this.n++}`;
    const table = types === this.model.actorTypes ? 'w_actor_type' : 'w_resource_type';
    return `${term} = [${v}, _] and ${table}(${v})`;
  }

  private expr(e: Expr, types: Types): string {
    switch (e.kind) {
      case 'call':
        return this.call(e.name, e.args.map(translateTerm), withLiterals(types, e.args));
      case 'compare':
        return `${translateTerm(e.left)} ${e.op} ${translateTerm(e.right)}`;
      case 'and':
        return `(${e.items.map((i) => this.expr(i, types)).join(' and ')})`;
      case 'or':
        return `(${e.items.map((i) => this.expr(i, types)).join(' or ')})`;
      case 'not':
        return `not (${this.expr(e.item, types)})`;
    }
  }
}

/** Entity literals have a static type too. */
function withLiterals(types: Types, args: Term[]): Types {
  if (!args.some((a) => a.kind === 'entity')) return types;
  const all = new Map(types);
  for (const a of args) if (a.kind === 'entity') all.set(translateTerm(a), a.type);
  return all;
}

function translateTerm(t: Term): string {
  switch (t.kind) {
    case 'var':
      if (t.name === '_') return '_';
      return t.name.startsWith('_') ? `_v${t.name}` : `v_${t.name}`;
    case 'string':
      return q(t.value);
    case 'integer':
    case 'boolean':
      return String(t.value);
    case 'entity':
      return `[${q(t.type)}, ${q(t.id)}]`;
  }
}

export function termValue(t: Term): FactArg {
  switch (t.kind) {
    case 'string':
    case 'integer':
    case 'boolean':
      return t.value;
    case 'entity':
      return { type: t.type, id: t.id };
    case 'var':
      throw new Error(`variable ${t.name} where a value is required`);
  }
}
