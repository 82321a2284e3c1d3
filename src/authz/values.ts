import type { ContextFact, FactArg, OsoValue } from './types.ts';
import { PolicyError } from './types.ts';

export function isOsoValue(v: unknown): v is OsoValue {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as OsoValue).type === 'string' &&
    typeof (v as OsoValue).id === 'string'
  );
}

/** `Agent:support-bot` → `{type:'Agent', id:'support-bot'}`. */
export function parseValue(text: string): OsoValue {
  const at = text.indexOf(':');
  if (at <= 0 || at === text.length - 1) {
    throw new PolicyError(`expected Type:id, got "${text}"`);
  }
  return { type: text.slice(0, at), id: text.slice(at + 1) };
}

/** Context-fact argument from the command line: `Tool:x`, `42`, `true`, or a plain string. */
export function parseArg(text: string): FactArg {
  if (/^-?\d+$/.test(text)) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  if (/^[A-Z][A-Za-z0-9_]*:./.test(text)) return parseValue(text);
  return text;
}

/** `refund_amount:Tool:crm.issue_refund,250` → `['refund_amount', Tool{...}, 250]`. */
export function parseContextFact(text: string): ContextFact {
  const colon = text.indexOf(':');
  if (colon <= 0) throw new PolicyError(`expected predicate:arg,arg… got "${text}"`);
  const predicate = text.slice(0, colon);
  const args = text
    .slice(colon + 1)
    .split(',')
    .filter((a) => a !== '')
    .map(parseArg);
  if (args.length === 0) throw new PolicyError(`context fact "${text}" has no arguments`);
  return [predicate, ...args];
}

export function formatValue(v: FactArg | null): string {
  if (v === null) return '_';
  if (isOsoValue(v)) return `${v.type}:${v.id}`;
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

export function formatFact(f: readonly [string, ...Array<FactArg | null>]): string {
  const [predicate, ...args] = f;
  return `${predicate}(${args.map(formatValue).join(', ')})`;
}

/** Stable key of a fact, used for the fact store, the facts version and the decision cache. */
export function factKey(f: readonly [string, ...FactArg[]]): string {
  return JSON.stringify(f.map((a) => (isOsoValue(a) ? [a.type, a.id] : a)));
}

/** Oso Cloud's wire form of a value. */
export function toWire(v: FactArg): { type: string; id: string } {
  if (typeof v === 'string') return { type: 'String', id: v };
  if (typeof v === 'number') return { type: 'Integer', id: String(v) };
  if (typeof v === 'boolean') return { type: 'Boolean', id: String(v) };
  return { type: v.type, id: v.id };
}

export function fromWire(v: { type?: string | null; id?: string | null }): FactArg {
  if (typeof v.type !== 'string' || typeof v.id !== 'string') {
    throw new PolicyError(`value needs a type and an id: ${JSON.stringify(v)}`);
  }
  if (v.type === 'String') return v.id;
  if (v.type === 'Integer') {
    const n = Number(v.id);
    if (!Number.isSafeInteger(n)) throw new PolicyError(`bad Integer "${v.id}"`);
    return n;
  }
  if (v.type === 'Boolean') return v.id === 'true';
  return { type: v.type, id: v.id };
}
