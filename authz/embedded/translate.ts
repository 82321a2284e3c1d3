import type { Block, Call, Expr, Rule, Shorthand, Term } from '../dialect/ast.ts';
import { type PolicyModel, PRIMITIVE_TYPES } from '../dialect/model.ts';
import type { Fact, FactArg } from '../types.ts';
import { isOsoValue } from '../values.ts';

/**
 * Oso Cloud Polar → open-source Polar (oso 0.27.3).
 *
 * The open-source engine's resource blocks differ from Oso Cloud's (reversed `has_relation`, no
 * `global`, no literals, no facts), so instead of mapping block to block we expand every shorthand
 * rule the way Oso Cloud defines it and emit plain rules:
 * - entities `User{"alice"}` become lists `["User", "alice"]`; strings, integers, booleans stay as they are;
 * - every predicate `p` becomes `c_p(..., w_ctx)`: the extra argument carries the query's context facts;
 * - a fact predicate `p` is `c_p(args, _) if f_p(args)` (stored facts, emitted as ground clauses)
 *   or `c_p(args, w_ctx) if ["p", args] in w_ctx` (context facts);
 * - `has_relation` keeps Oso Cloud's argument order throughout, since we define it ourselves.
 * Names are prefixed so no rule collides with the open-source engine's built-in rule types.
 */
export function translatePolicy(model: PolicyModel): string {
  const out: string[] = [];
  out.push('# Generated from the Oso Cloud policy; do not edit.');
  // Silences the engine's "no allow rule" warning; authorization goes through c_allow.
  out.push('allow(_actor, _action, _resource) if 1 = 2;');
  for (const t of model.actorTypes) out.push(`w_actor(x) if x = [${q(t)}, _];`);
  for (const t of model.resources.keys()) out.push(`w_resource(x) if x = [${q(t)}, _];`);
  for (const { name, arity } of model.factPredicates.values()) {
    const vars = Array.from({ length: arity }, (_, i) => `a${i}`);
    const list = vars.join(', ');
    out.push(`c_${name}(${list}, _w_ctx) if f_${name}(${list});`);
    out.push(`c_${name}(${list}, w_ctx) if [${q(name)}, ${list}] in w_ctx;`);
  }
  for (const block of model.resources.values()) {
    for (const sh of block.shorthands) out.push(shorthand(model, block, sh));
  }
  for (const rule of model.rules) out.push(translateRule(rule, model));
  return `${out.join('\n')}\n`;
}

/** Ground clauses for the stored facts, plus one never-true clause per predicate so each is defined. */
export function translateFacts(model: PolicyModel, facts: Iterable<Fact>): string {
  const out: string[] = [];
  for (const { name, arity } of model.factPredicates.values()) {
    const vars = Array.from({ length: arity }, (_, i) => `_a${i}`).join(', ');
    out.push(`f_${name}(${vars}) if 1 = 2;`);
  }
  for (const [name, ...args] of facts) out.push(`f_${name}(${args.map(polarValue).join(', ')});`);
  return `${out.join('\n')}\n`;
}

/** The engine's form of a value: entities as `[type, id]` lists. */
export function engineValue(v: FactArg): unknown {
  return isOsoValue(v) ? [v.type, v.id] : v;
}

function polarValue(v: FactArg): string {
  if (isOsoValue(v)) return `[${q(v.type)}, ${q(v.id)}]`;
  return typeof v === 'string' ? q(v) : String(v);
}

function q(s: string): string {
  return JSON.stringify(s);
}

function shorthand(model: PolicyModel, block: Block, sh: Shorthand): string {
  const kind = (b: Block, name: string) => (b.roles.includes(name) ? 'has_role' : 'has_permission');
  const head = `c_${kind(block, sh.head)}(actor, ${q(sh.head)}, resource, w_ctx)`;
  const guard = `resource = [${q(block.type)}, _] and w_actor(actor)`;
  const body = sh.body;
  let cond: string;
  if (body.kind === 'local') {
    cond = `c_${kind(block, body.name)}(actor, ${q(body.name)}, resource, w_ctx)`;
  } else if (body.kind === 'global') {
    cond = `c_has_role(actor, ${q(body.name)}, w_ctx)`;
  } else {
    const target = block.relations.get(body.relation)!;
    const other = model.resources.get(target)!;
    cond =
      `c_has_relation(resource, ${q(body.relation)}, related, w_ctx) and related = [${q(target)}, _] and ` +
      `c_${kind(other, body.name)}(actor, ${q(body.name)}, related, w_ctx)`;
  }
  return `${head} if ${guard} and ${cond};`;
}

function translateRule(rule: Rule, model: PolicyModel): string {
  const params: string[] = [];
  const guards: string[] = [];
  const late: string[] = [];
  for (const p of rule.params) {
    const term = translateTerm(p.term);
    params.push(term);
    if (p.type === undefined) continue;
    if (PRIMITIVE_TYPES.has(p.type)) late.push(`${term} matches ${p.type}`);
    else if (p.type === 'Actor') guards.push(`w_actor(${term})`);
    else if (p.type === 'Resource') guards.push(`w_resource(${term})`);
    else if (model.resources.has(p.type)) guards.push(`${term} = [${q(p.type)}, _]`);
  }
  const conds = [...guards, ...(rule.body ? [translateExpr(rule.body)] : []), ...late];
  const head = `c_${rule.name}(${[...params, 'w_ctx'].join(', ')})`;
  return conds.length === 0 ? `${head};` : `${head} if ${conds.join(' and ')};`;
}

function translateExpr(e: Expr): string {
  switch (e.kind) {
    case 'call':
      return translateCall(e);
    case 'compare':
      return `${translateTerm(e.left)} ${e.op} ${translateTerm(e.right)}`;
    case 'and':
      return `(${e.items.map(translateExpr).join(' and ')})`;
    case 'or':
      return `(${e.items.map(translateExpr).join(' or ')})`;
    case 'not':
      return `not (${translateExpr(e.item)})`;
  }
}

export function translateCall(c: Call, ctx = 'w_ctx'): string {
  return `c_${c.name}(${[...c.args.map(translateTerm), ctx].join(', ')})`;
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
