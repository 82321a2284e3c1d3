import type { Block } from '../dialect/ast.ts';
import type { PolicyModel } from '../dialect/model.ts';
import type { Fact, OsoValue } from '../types.ts';
import { isOsoValue } from '../values.ts';

/** `has_role` or `has_permission`: what a name of a block means there. */
export type Kind = 'has_role' | 'has_permission';

/** A derived role or permission, from the stored facts alone. */
export interface Derived {
  kind: Kind;
  actor: OsoValue;
  name: string;
  resource: OsoValue;
}

export function kindOf(block: Block, name: string): Kind {
  return block.roles.includes(name) ? 'has_role' : 'has_permission';
}

/**
 * Which (kind, type, name) a query may still have to derive with rules when the context holds no
 * role or relation facts: those a hand-written rule defines, those a global role grants, and,
 * transitively, the shorthands built on them. Everything else is derived by the shorthands from
 * stored facts only, so it is known completely when the engine is built (see `materialize`).
 */
export class RuleNeeds {
  private readonly needed = new Set<string>();

  constructor(private readonly model: PolicyModel) {
    const concrete = (t: string): string[] => {
      if (t === 'Actor') return [...model.actorTypes];
      if (t === 'Resource') return [...model.resources.keys()];
      return [t];
    };
    for (const rule of model.rules) {
      if ((rule.name !== 'has_role' && rule.name !== 'has_permission') || rule.params.length !== 3) continue;
      const [, name, resource] = rule.params;
      const term = resource!.term;
      const types =
        term.kind === 'entity'
          ? [term.type]
          : resource!.type === undefined
            ? [...model.resources.keys()]
            : concrete(resource!.type);
      const names = name!.term.kind === 'string' ? name!.term.value : '*';
      for (const t of types) this.needed.add(key(rule.name, t, names));
    }
    for (let changed = true; changed; ) {
      changed = false;
      for (const block of model.resources.values()) {
        for (const sh of block.shorthands) {
          const head = kindOf(block, sh.head);
          if (this.has(head, block.type, sh.head) || !this.bodyNeedsRules(block, sh)) continue;
          this.needed.add(key(head, block.type, sh.head));
          changed = true;
        }
      }
    }
  }

  has(kind: Kind, type: string, name: string): boolean {
    return this.needed.has(key(kind, type, name)) || this.needed.has(key(kind, type, '*'));
  }

  /** True when some name of this kind on this type may need rules. */
  hasAny(kind: Kind, type: string): boolean {
    const prefix = key(kind, type, '');
    for (const k of this.needed) if (k.startsWith(prefix)) return true;
    return false;
  }

  /** True when the shorthand's body may hold by something other than stored facts. */
  bodyNeedsRules(block: Block, sh: Block['shorthands'][number]): boolean {
    const body = sh.body;
    if (body.kind === 'global') return true;
    if (body.kind === 'local') return this.has(kindOf(block, body.name), block.type, body.name);
    const target = this.model.resources.get(block.relations.get(body.relation)!)!;
    return this.has(kindOf(target, body.name), target.type, body.name);
  }
}

function key(kind: string, type: string, name: string): string {
  return `${kind}\u0001${type}\u0001${name}`;
}

/**
 * True when the policy's roles and permissions can be precomputed: role and permission rules are
 * split by resource type, and relations are stored facts only (no rule defines has_relation).
 */
export function canMaterialize(model: PolicyModel, dispatch: Map<string, number>): boolean {
  if (!dispatch.has('has_role/3') || !dispatch.has('has_permission/3')) return false;
  return !model.derived.has('has_relation/3');
}

/**
 * Every has_role/has_permission the resource blocks' shorthands derive from the stored facts alone
 * (stored has_role facts included), by a worklist fixpoint: each new fact is joined once with the
 * shorthands that can use it as their body.
 */
export function materialize(model: PolicyModel, facts: Iterable<Fact>): Derived[] {
  const ids = (v: OsoValue) => `${v.type}\u0001${v.id}`;
  // (related entity, relation) → the entities that have it as that relation.
  const relatedBy = new Map<string, OsoValue[]>();
  const seen = new Map<string, Derived>();
  const work: Derived[] = [];
  const add = (d: Derived) => {
    const k = `${d.kind}\u0002${ids(d.actor)}\u0002${d.name}\u0002${ids(d.resource)}`;
    if (seen.has(k)) return;
    seen.set(k, d);
    work.push(d);
  };
  const pending: Derived[] = [];
  for (const [name, ...args] of facts) {
    const [a0, a1, a2] = args;
    if (args.length !== 3 || !isOsoValue(a0) || typeof a1 !== 'string' || !isOsoValue(a2)) continue;
    if (name === 'has_role') pending.push({ kind: 'has_role', actor: a0, name: a1, resource: a2 });
    if (name === 'has_relation') {
      const k = `${ids(a2)}\u0002${a1}`;
      const list = relatedBy.get(k) ?? [];
      list.push(a0);
      relatedBy.set(k, list);
    }
  }
  for (const d of pending) add(d);
  // Shorthands by the (kind, type, name) of their body.
  const local = new Map<string, Array<{ head: Kind; name: string }>>();
  const on = new Map<string, Array<{ head: Kind; name: string; type: string; relation: string }>>();
  const push = <T>(map: Map<string, T[]>, k: string, v: T) => map.set(k, [...(map.get(k) ?? []), v]);
  for (const block of model.resources.values()) {
    for (const sh of block.shorthands) {
      const head = kindOf(block, sh.head);
      const body = sh.body;
      if (body.kind === 'local') {
        push(local, key(kindOf(block, body.name), block.type, body.name), { head, name: sh.head });
      } else if (body.kind === 'on') {
        const target = model.resources.get(block.relations.get(body.relation)!)!;
        push(on, key(kindOf(target, body.name), target.type, body.name), {
          head,
          name: sh.head,
          type: block.type,
          relation: body.relation,
        });
      }
    }
  }
  for (let d = work.pop(); d !== undefined; d = work.pop()) {
    const k = key(d.kind, d.resource.type, d.name);
    for (const s of local.get(k) ?? [])
      add({ kind: s.head, actor: d.actor, name: s.name, resource: d.resource });
    for (const s of on.get(k) ?? []) {
      for (const r of relatedBy.get(`${ids(d.resource)}\u0002${s.relation}`) ?? []) {
        if (r.type === s.type) add({ kind: s.head, actor: d.actor, name: s.name, resource: r });
      }
    }
  }
  return [...seen.values()];
}
