import { PolicyError } from '../types.ts';

export type TokenKind = 'ident' | 'string' | 'integer' | 'punct' | 'eof';

export interface Token {
  kind: TokenKind;
  text: string;
  /** For strings: the unescaped value. */
  value: string;
  file: string;
  line: number;
  column: number;
}

export function where(t: { file: string; line: number; column: number }): string {
  return `${t.file}:${t.line}:${t.column}`;
}

const PUNCT = ['!=', '<=', '>=', '==', '{', '}', '(', ')', '[', ']', ',', ';', ':', '=', '<', '>', '.'];
/** Characters Polar knows but the Oso Cloud subset we translate does not; named in the error. */
const FOREIGN: Record<string, string> = {
  '+': 'arithmetic (+)',
  '-': 'arithmetic (-)',
  '*': 'arithmetic (*)',
  '/': 'arithmetic (/)',
  '|': 'list tail (|)',
  '?': 'query (?=)',
};

/** Tokenizes Oso Cloud Polar. `#` starts a comment to the end of the line. */
export function tokenize(source: string, file: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const push = (kind: TokenKind, text: string, start: number, value = text) =>
    tokens.push({ kind, text, value, file, line, column: start - lineStart + 1 });
  while (i < source.length) {
    const c = source[i]!;
    if (c === '\n') {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < source.length && source[i] !== '\n') i++;
      continue;
    }
    const start = i;
    if (/[A-Za-z_]/.test(c)) {
      while (i < source.length && /[A-Za-z0-9_]/.test(source[i]!)) i++;
      push('ident', source.slice(start, i), start);
      continue;
    }
    if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(source[i + 1] ?? ''))) {
      i++;
      while (i < source.length && /[0-9]/.test(source[i]!)) i++;
      if (source[i] === '.' && /[0-9]/.test(source[i + 1] ?? '')) {
        throw new PolicyError(`${file}:${line}:${start - lineStart + 1}: float literals are not supported`);
      }
      push('integer', source.slice(start, i), start);
      continue;
    }
    if (c === '"') {
      i++;
      let value = '';
      while (i < source.length && source[i] !== '"') {
        if (source[i] === '\n') break;
        if (source[i] === '\\') {
          const next = source[i + 1];
          value += next === 'n' ? '\n' : next === 't' ? '\t' : (next ?? '');
          i += 2;
        } else {
          value += source[i];
          i++;
        }
      }
      if (source[i] !== '"') {
        throw new PolicyError(`${file}:${line}:${start - lineStart + 1}: unterminated string`);
      }
      i++;
      push('string', source.slice(start, i), start, value);
      continue;
    }
    const punct = PUNCT.find((p) => source.startsWith(p, i));
    if (punct !== undefined) {
      i += punct.length;
      push('punct', punct, start);
      continue;
    }
    const name = FOREIGN[c] ?? `character "${c}"`;
    throw new PolicyError(`${file}:${line}:${start - lineStart + 1}: unsupported construct: ${name}`);
  }
  tokens.push({ kind: 'eof', text: '<end of file>', value: '', file, line, column: i - lineStart + 1 });
  return tokens;
}
