import { MIN_IDENTIFIER_DIGITS } from './extract.ts';

/** One string (or long number) inside a JSON value, where it is. */
export interface Leaf {
  /** The path with array indices: `items[0].iban`. */
  path: string;
  /** The path with arrays as `[]`: `items[].iban`, what labels and sensitive arguments name. */
  field: string;
  text: string;
}

/** Keys that name a field rather than hold data; any other key (an email, an id) is data itself. */
const PLAIN_KEY = /^[A-Za-z_$][\w$-]{0,63}$/;

const MAX_DEPTH = 32;

/**
 * The string leaves of a JSON value, and numbers with enough digits to be identifiers. An object
 * key that is not a plain field name is a leaf too (at `<path>.*`), and its field is named `*` in
 * paths, so a record keyed by email address is traced without its keys entering any path.
 */
export function leavesOf(value: unknown, limit = 50_000): Leaf[] {
  const out: Leaf[] = [];
  const visit = (v: unknown, path: string, field: string, depth: number) => {
    if (out.length >= limit || depth > MAX_DEPTH) return;
    if (typeof v === 'string') {
      if (v !== '') out.push({ path, field, text: v });
    } else if (typeof v === 'number' || typeof v === 'bigint') {
      const text = String(v);
      if ((text.match(/\d/g) ?? []).length >= MIN_IDENTIFIER_DIGITS) out.push({ path, field, text });
    } else if (Array.isArray(v)) {
      for (const [i, item] of v.entries()) visit(item, `${path}[${i}]`, `${field}[]`, depth + 1);
    } else if (typeof v === 'object' && v !== null) {
      for (const [key, item] of Object.entries(v)) {
        const plain = PLAIN_KEY.test(key);
        const name = plain ? key : '*';
        const join = (base: string) => (base === '' ? name : `${base}.${name}`);
        if (!plain) out.push({ path: join(path), field: join(field), text: key });
        visit(item, join(path), join(field), depth + 1);
      }
    }
  };
  visit(value, '', '', 0);
  return out;
}
