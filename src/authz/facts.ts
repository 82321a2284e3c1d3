import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isSeq, LineCounter, parseDocument } from 'yaml';
import { checkFact, type PolicyModel } from './dialect/model.ts';
import { parseFactText } from './dialect/parser.ts';
import { termValue } from './embedded/translate.ts';
import { type Fact, type FactPattern, type OsoValue, PolicyError } from './types.ts';
import { factKey, isOsoValue } from './values.ts';

/**
 * The facts file: YAML with one key, `facts`, a list of facts in Polar syntax:
 *
 *     facts:
 *       - has_role(User{"alice"}, "user", Toolset{"crm-read"})
 */
export async function loadFactsFile(path: string, model: PolicyModel): Promise<Fact[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new PolicyError(`cannot read facts file ${path}: ${(error as Error).message}`);
  }
  return parseFactsFile(text, path, model);
}

/**
 * Predicates accepted only as per-call context facts, never stored: a stored `acts_for` would let an
 * agent borrow that user's permissions on every call, whoever it really acts for.
 */
export const CONTEXT_ONLY_PREDICATES = new Set(['acts_for']);

export function checkStoredFact(model: PolicyModel, fact: Fact): void {
  checkFact(model, fact);
  if (CONTEXT_ONLY_PREDICATES.has(fact[0])) {
    throw new PolicyError(`${fact[0]} is a context fact and cannot be stored`);
  }
}

export function parseFactsFile(text: string, file: string, model: PolicyModel): Fact[] {
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines });
  const yamlError = document.errors[0];
  if (yamlError !== undefined) {
    throw new PolicyError(`${file}: malformed YAML: ${yamlError.message.split('\n')[0]}`);
  }
  const doc: unknown = document.toJS();
  if (doc === null || doc === undefined) return [];
  const list = (doc as { facts?: unknown }).facts;
  if (typeof doc !== 'object' || Array.isArray(doc) || !Array.isArray(list)) {
    throw new PolicyError(`${file}: expected a mapping with a "facts" list`);
  }
  const extra = Object.keys(doc).filter((k) => k !== 'facts');
  if (extra.length > 0) throw new PolicyError(`${file}: unknown key "${extra[0]}" (only "facts" is allowed)`);
  const items = document.get('facts', true);
  // Errors name the line of the entry, so an editor can jump to it.
  const at = (i: number) => {
    const offset = isSeq(items)
      ? (items.items[i] as { range?: [number, ...number[]] })?.range?.[0]
      : undefined;
    return offset === undefined ? file : `${file}:${lines.linePos(offset).line}`;
  };
  return list.map((entry, i) => {
    if (typeof entry !== 'string') {
      throw new PolicyError(
        `${at(i)}: facts[${i}] must be a string like has_role(User{"alice"}, "user", Toolset{"x"})`,
      );
    }
    try {
      const call = parseFactText(entry, `facts[${i}]`);
      const fact: Fact = [call.name, ...call.args.map(termValue)];
      checkStoredFact(model, fact);
      return fact;
    } catch (error) {
      const message = (error as Error).message;
      throw new PolicyError(
        `${at(i)}: ${message.startsWith(`facts[${i}]`) ? message : `facts[${i}]: ${message}`}`,
      );
    }
  });
}

export function matchesPattern(fact: Fact, pattern: FactPattern): boolean {
  if (fact[0] !== pattern[0] || fact.length !== pattern.length) return false;
  for (let i = 1; i < pattern.length; i++) {
    const p = pattern[i];
    const f = fact[i];
    if (p === null || p === undefined) continue;
    if (isOsoValue(p)) {
      if (!isOsoValue(f) || f.type !== p.type || (p.id !== '' && f.id !== p.id)) return false;
    } else if (p !== f) return false;
  }
  return true;
}

/** The stored facts, deduplicated; the version is a hash of the content, so equal sets share it. */
export class FactSet {
  private readonly facts = new Map<string, Fact>();
  private cachedVersion: string | undefined;

  constructor(facts: Iterable<Fact> = []) {
    for (const f of facts) this.facts.set(factKey(f), f);
  }

  get size(): number {
    return this.facts.size;
  }

  all(): Fact[] {
    return [...this.facts.values()];
  }

  insert(facts: Iterable<Fact>): void {
    for (const f of facts) this.facts.set(factKey(f), f);
    this.cachedVersion = undefined;
  }

  delete(patterns: Iterable<FactPattern>): number {
    let removed = 0;
    for (const pattern of patterns) {
      for (const [k, f] of this.facts) {
        if (matchesPattern(f, pattern)) {
          this.facts.delete(k);
          removed++;
        }
      }
    }
    this.cachedVersion = undefined;
    return removed;
  }

  clone(): FactSet {
    return new FactSet(this.facts.values());
  }

  version(): string {
    if (this.cachedVersion === undefined) {
      const hash = createHash('sha256');
      for (const k of [...this.facts.keys()].sort()) hash.update(k).update('\n');
      this.cachedVersion = `sha256:${hash.digest('hex').slice(0, 16)}`;
    }
    return this.cachedVersion;
  }

  valuesOfType(type: string): OsoValue[] {
    const seen = new Map<string, OsoValue>();
    for (const f of this.facts.values()) {
      for (const a of f.slice(1)) if (isOsoValue(a) && a.type === type) seen.set(a.id, a);
    }
    return [...seen.values()].sort((a, b) => a.id.localeCompare(b.id));
  }
}
