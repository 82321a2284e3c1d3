import { createHash } from 'node:crypto';
import { type Fact, PolicyError } from '../types.ts';
import { formatFact, isOsoValue } from '../values.ts';
import type { Block, Call, Expr, Loc, PolicyFile, Rule, TestBlock } from './ast.ts';
import { where } from './lexer.ts';
import { parsePolicy } from './parser.ts';

export const PRIMITIVE_TYPES = new Set(['String', 'Integer', 'Boolean']);
export const ABSTRACT_TYPES = new Set(['Actor', 'Resource']);

export interface PolicySource {
  file: string;
  text: string;
}

/** A parsed, cross-checked policy: what both backends agree it means. */
export interface PolicyModel {
  sources: PolicySource[];
  /** Hash of the policy source: part of every decision record and of the cache key. */
  version: string;
  actorTypes: Set<string>;
  resources: Map<string, Block>;
  globalRoles: Set<string>;
  rules: Rule[];
  tests: TestBlock[];
  /** `name/arity` of every predicate stored as facts (and accepted as context facts). */
  factPredicates: Map<string, { name: string; arity: number }>;
  /** `name/arity` of every predicate defined by a rule or shorthand. */
  derived: Set<string>;
  usesNegation: boolean;
  /** Every string literal: the candidate actions `actions()` checks. */
  strings: Set<string>;
}

/** Control characters in ids would not survive the round trip through Polar source. */
function hasControlChar(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) < 0x20) return true;
  return false;
}

const key = (name: string, arity: number) => `${name}/${arity}`;
const at = (loc: Loc) => where(loc);

/**
 * The policy's identity: file names and contents, not where the directory happens to be, so workers
 * started from different directories agree on the version of the same policy.
 */
export function policyVersion(sources: PolicySource[]): string {
  const hash = createHash('sha256');
  const named = sources.map((s) => ({ name: s.file.split(/[\\/]/).pop() ?? s.file, text: s.text }));
  for (const s of named.sort((a, b) => a.name.localeCompare(b.name))) {
    hash.update(s.name).update('\0').update(s.text).update('\0');
  }
  return `sha256:${hash.digest('hex').slice(0, 16)}`;
}

export function buildModel(sources: PolicySource[]): PolicyModel {
  if (sources.length === 0) throw new PolicyError('no .polar policy files found');
  const files: PolicyFile[] = sources.map((s) => parsePolicy(s.text, s.file));
  const model: PolicyModel = {
    sources,
    version: policyVersion(sources),
    actorTypes: new Set(),
    resources: new Map(),
    globalRoles: new Set(),
    rules: [],
    tests: [],
    factPredicates: new Map(),
    derived: new Set(),
    usesNegation: false,
    strings: new Set(),
  };
  const blockTypes = new Map<string, Block>();
  for (const item of files.flatMap((f) => f.items)) {
    if (item.kind === 'rule') model.rules.push(item);
    else if (item.kind === 'test') model.tests.push(item);
    else if (item.keyword === 'global') {
      if (item.permissions.length > 0 || item.relations.size > 0 || item.shorthands.length > 0) {
        throw new PolicyError(`${at(item.loc)}: unsupported construct: global block with more than roles`);
      }
      for (const r of item.roles) model.globalRoles.add(r);
    } else {
      if (blockTypes.has(item.type)) throw new PolicyError(`${at(item.loc)}: ${item.type} declared twice`);
      blockTypes.set(item.type, item);
      if (item.keyword === 'actor') model.actorTypes.add(item.type);
      model.resources.set(item.type, item);
    }
  }
  const isType = (t: string) => blockTypes.has(t);

  for (const block of model.resources.values()) {
    for (const [rel, target] of block.relations) {
      if (!isType(target))
        throw new PolicyError(
          `${at(block.loc)}: relation ${rel} of ${block.type} names unknown type ${target}`,
        );
    }
    for (const s of [...block.permissions, ...block.roles]) model.strings.add(s);
    for (const sh of block.shorthands) {
      const known = (b: Block, name: string) => b.permissions.includes(name) || b.roles.includes(name);
      if (!known(block, sh.head)) {
        throw new PolicyError(
          `${at(sh.loc)}: "${sh.head}" is neither a permission nor a role of ${block.type}`,
        );
      }
      const body = sh.body;
      if (body.kind === 'local' && !known(block, body.name)) {
        throw new PolicyError(
          `${at(body.loc)}: "${body.name}" is neither a permission nor a role of ${block.type}`,
        );
      }
      if (body.kind === 'on') {
        const target = block.relations.get(body.relation);
        if (target === undefined) {
          throw new PolicyError(`${at(body.loc)}: ${block.type} has no relation "${body.relation}"`);
        }
        const other = blockTypes.get(target)!;
        if (!known(other, body.name)) {
          throw new PolicyError(
            `${at(body.loc)}: "${body.name}" is neither a permission nor a role of ${target}`,
          );
        }
      }
      if (body.kind === 'global' && !model.globalRoles.has(body.name)) {
        throw new PolicyError(`${at(body.loc)}: "${body.name}" is not a global role`);
      }
      model.derived.add(key(block.roles.includes(sh.head) ? 'has_role' : 'has_permission', 3));
    }
  }
  if (model.actorTypes.size === 0) throw new PolicyError('the policy declares no actor types');

  // Fact-backed predicates Oso Cloud derives from the resource blocks.
  if ([...model.resources.values()].some((b) => b.roles.length > 0)) {
    model.factPredicates.set(key('has_role', 3), { name: 'has_role', arity: 3 });
  }
  if (model.globalRoles.size > 0)
    model.factPredicates.set(key('has_role', 2), { name: 'has_role', arity: 2 });
  if ([...model.resources.values()].some((b) => b.relations.size > 0)) {
    model.factPredicates.set(key('has_relation', 3), { name: 'has_relation', arity: 3 });
  }

  for (const rule of model.rules) {
    model.derived.add(key(rule.name, rule.params.length));
    for (const p of rule.params) {
      if (
        p.type !== undefined &&
        !isType(p.type) &&
        !PRIMITIVE_TYPES.has(p.type) &&
        !ABSTRACT_TYPES.has(p.type)
      ) {
        throw new PolicyError(`${at(p.term.loc)}: unknown type ${p.type}`);
      }
      checkTerm(p.term);
    }
  }
  function checkTerm(t: Call['args'][number]) {
    if (t.kind === 'entity' && !isType(t.type)) throw new PolicyError(`${at(t.loc)}: unknown type ${t.type}`);
    if (t.kind === 'string') model.strings.add(t.value);
  }
  const calls: Call[] = [];
  const walk = (e: Expr) => {
    if (e.kind === 'call') {
      calls.push(e);
      e.args.forEach(checkTerm);
    } else if (e.kind === 'compare') {
      checkTerm(e.left);
      checkTerm(e.right);
    } else if (e.kind === 'not') {
      model.usesNegation = true;
      walk(e.item);
    } else e.items.forEach(walk);
  };
  for (const rule of model.rules) if (rule.body) walk(rule.body);
  for (const c of calls) {
    const k = key(c.name, c.args.length);
    if (c.name === 'has_permission' && !model.derived.has(k)) {
      throw new PolicyError(`${at(c.loc)}: has_permission/${c.args.length} is never defined`);
    }
    if (model.derived.has(k) || model.factPredicates.has(k)) continue;
    if (c.name === 'has_role' || c.name === 'has_relation' || c.name === 'has_permission') {
      throw new PolicyError(`${at(c.loc)}: ${k} does not match any declaration in the policy`);
    }
    model.factPredicates.set(k, { name: c.name, arity: c.args.length });
  }
  if (!model.derived.has('allow/3'))
    throw new PolicyError('the policy defines no allow(actor, action, resource) rule');
  for (const test of model.tests) {
    for (const f of test.setup) {
      f.args.forEach(checkTerm);
      if (f.args.some((a) => a.kind === 'var')) {
        throw new PolicyError(`${at(f.loc)}: unsupported construct: variables in test setup facts`);
      }
    }
    for (const a of test.asserts) {
      a.call.args.forEach(checkTerm);
      if (a.call.args.some((t) => t.kind === 'var')) {
        throw new PolicyError(`${at(a.loc)}: unsupported construct: variables in assertions`);
      }
      const k = key(a.call.name, a.call.args.length);
      if (!model.derived.has(k) && !model.factPredicates.has(k)) {
        throw new PolicyError(`${at(a.loc)}: assertion on unknown predicate ${k}`);
      }
    }
  }
  return model;
}

/**
 * The context facts of one request that the policy can read. As in Oso Cloud, a context fact whose
 * predicate (name and arity) no rule of the policy uses is accepted and matches nothing: it is
 * dropped here, after its arguments were checked like any fact's. A context fact of a predicate the
 * policy uses is checked in full (`checkFact`). Stored facts and policy tests stay strict: an unknown
 * predicate there is refused, as it is most likely a typo.
 */
export function usableContext(model: PolicyModel, context: readonly Fact[]): Fact[] {
  const usable: Fact[] = [];
  for (const fact of context) {
    if (!Array.isArray(fact)) throw new PolicyError(`a context fact is a list, not ${JSON.stringify(fact)}`);
    const [name, ...args] = fact;
    if (typeof name === 'string' && name !== '' && !model.factPredicates.has(key(name, args.length))) {
      // Its values are still checked as values; their types need not be declared (nothing reads them).
      checkArgs(model, fact, false);
      continue;
    }
    checkFact(model, fact);
    usable.push(fact);
  }
  return usable;
}

/** Rejects a fact the policy cannot use: unknown predicate, wrong arity, undeclared role or relation. */
export function checkFact(model: PolicyModel, fact: Fact): void {
  const [name, ...args] = fact;
  const shown = () => formatFact(fact);
  if (typeof name !== 'string' || name === '')
    throw new PolicyError(`fact without a predicate: ${JSON.stringify(fact)}`);
  const sig = model.factPredicates.get(key(name, args.length));
  if (sig === undefined) {
    const known = [...model.factPredicates.keys()].sort().join(', ');
    throw new PolicyError(`unknown fact predicate ${key(name, args.length)} in ${shown()} (known: ${known})`);
  }
  checkArgs(model, fact, true);
  checkShape(model, fact);
}

/** Each argument is an entity (of a declared type, if asked), an integer, a string or a boolean. */
function checkArgs(model: PolicyModel, fact: Fact, declaredTypes: boolean): void {
  const [, ...args] = fact;
  const shown = () => formatFact(fact);
  for (const a of args) {
    if (isOsoValue(a)) {
      if (hasControlChar(a.type) || a.type === '') throw new PolicyError(`bad type in ${shown()}`);
      if (declaredTypes && !model.resources.has(a.type))
        throw new PolicyError(`unknown type ${a.type} in ${shown()}`);
      if (a.id === '' || hasControlChar(a.id)) throw new PolicyError(`bad id in ${shown()}`);
    } else if (typeof a === 'number' && !Number.isSafeInteger(a)) {
      throw new PolicyError(`only integers are supported, in ${shown()}`);
    } else if (typeof a === 'string' && hasControlChar(a)) {
      throw new PolicyError(`control character in ${shown()}`);
    } else if (typeof a !== 'string' && typeof a !== 'number' && typeof a !== 'boolean') {
      throw new PolicyError(`bad argument ${JSON.stringify(a)} in ${shown()}`);
    }
  }
}

/** has_role and has_relation facts name a declared role or relation, with the right entity types. */
function checkShape(model: PolicyModel, fact: Fact): void {
  const [name, ...args] = fact;
  const shown = () => formatFact(fact);
  const [a0, a1, a2] = args;
  const entity = (v: unknown) => (isOsoValue(v) ? v : undefined);
  if (name === 'has_role') {
    const actor = entity(a0);
    if (actor === undefined || !model.actorTypes.has(actor.type)) {
      throw new PolicyError(`has_role needs an actor first, in ${shown()}`);
    }
    if (typeof a1 !== 'string') throw new PolicyError(`has_role needs a role name, in ${shown()}`);
    if (args.length === 2) {
      if (!model.globalRoles.has(a1)) throw new PolicyError(`"${a1}" is not a global role, in ${shown()}`);
      return;
    }
    const res = entity(a2);
    const block = res && model.resources.get(res.type);
    if (block === undefined || !block.roles.includes(a1)) {
      throw new PolicyError(`"${a1}" is not a role of ${res?.type ?? 'that value'}, in ${shown()}`);
    }
  }
  if (name === 'has_relation') {
    const res = entity(a0);
    const block = res && model.resources.get(res.type);
    const target = typeof a1 === 'string' ? block?.relations.get(a1) : undefined;
    if (target === undefined) throw new PolicyError(`unknown relation in ${shown()}`);
    if (entity(a2)?.type !== target)
      throw new PolicyError(`relation ${a1} expects a ${target}, in ${shown()}`);
  }
}
