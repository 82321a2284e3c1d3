import { MAX_URL_LENGTH } from '../guard/http-url.ts';
import {
  compactIdentifier,
  normaliseEmail,
  normaliseHost,
  normalisePath,
  normaliseText,
  normaliseUrl,
} from './normalise.ts';

/** The kinds of identifier-like tokens found inside text. */
export type TokenKind =
  | 'url'
  | 'host'
  | 'email'
  | 'iban'
  | 'account'
  | 'phone'
  | 'number'
  | 'path'
  | 'secret';

/**
 * One identifier-like token: its kind, the text as written, and the keys it compares by. A key is
 * a normalised form with a class prefix (`u:` URL host and path, `h:` host, `e:` email, `p:` path,
 * `c:` letters and digits of an identifier, `s:` a secret); two tokens match when a key is equal.
 */
export interface Token {
  kind: TokenKind;
  text: string;
  keys: string[];
  /** Letters and digits only, for partial matches of a value split or reassembled. */
  compact: string;
}

/** Hosts whose last label is a file extension are file names (`invoice.pdf`), not hosts. */
const FILE_EXTENSIONS = new Set(
  'pdf txt doc docx odt rtf png jpg jpeg gif svg webp csv tsv xls xlsx ods zip gz tar json xml yaml yml html htm md log ts js py sh exe bin dat eml msg'.split(
    ' ',
  ),
);

const URL_PATTERN = /\b(?:https?|ftp|wss?):\/\/[^\s<>"'`{}|\\^[\]]+/giu;
const EMAIL_PATTERN = /[\p{L}\p{N}._%+-]+@(?:[\p{L}\p{N}-]+\.)+\p{L}{2,}/gu;
const HOST_PATTERN =
  /(?<![\p{L}\p{N}@._-])(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+\p{L}{2,63}(?:\/[^\s<>"'`]*)?(?![\p{L}\p{N}@-])/gu;
const IBAN_PATTERN =
  /(?<![\p{L}\p{N}])[a-z]{2}\d{2}(?:[ -]?[a-z0-9]{4}){2,7}(?:[ -]?[a-z0-9]{1,4})?(?![\p{L}\p{N}])/giu;
const CODE_PATTERN = /(?<![\p{L}\p{N}])[\p{L}\p{N}]*\d[\p{L}\p{N}]*(?:[-_/][\p{L}\p{N}]+)*(?![\p{L}\p{N}])/gu;
const NUMBER_PATTERN = /(?<![\p{L}\p{N}])\+?\(?\d(?:[\d \-./()]{0,40}\d)?(?![\p{L}\p{N}])/gu;
const PATH_PATTERN =
  /(?<![\p{L}\p{N}_.:/])(?:~|\.{1,2})?\/(?:[\p{L}\p{N}_.@%+-]+\/)*[\p{L}\p{N}_.@%+-]+|\b[a-z]:\\(?:[\p{L}\p{N}_ .-]+\\)*[\p{L}\p{N}_.-]+/giu;
const SECRET_CANDIDATE = /(?<!\S)\S{8,64}(?!\S)/gu;

/** Identifiers other than URLs are at most this long. */
const MAX_IDENTIFIER_LENGTH = 256;

/** Runs of non-space characters longer than `max`, blanked out (split, not a regex: linear time). */
function blankLongRuns(text: string, max: number): string {
  // No run is longer than the text: most leaves (a status, a name) need no split at all.
  if (text.length <= max) return text;
  return text
    .split(/(\s+)/u)
    .map((part) => (part.length > max ? ' '.repeat(part.length) : part))
    .join('');
}

const TRAILING_PUNCTUATION = /[.,;:!?)\]}'"»]+$/u;

const digits = (text: string) => (text.match(/\d/g) ?? []).length;
/** What IBANs, numbers and codes all hold (`\d` is ASCII in these patterns). */
const ASCII_DIGIT = /\d/;

/** Numbers and identifiers with at least this many digits are traced. */
export const MIN_IDENTIFIER_DIGITS = 6;

function urlToken(kind: 'url', text: string): Token[] {
  const parsed = normaliseUrl(text);
  if (parsed === undefined) return [];
  return [
    { kind, text, keys: [`u:${parsed.hostAndPath}`], compact: compactIdentifier(parsed.hostAndPath) },
    hostToken(parsed.host),
  ];
}

function hostToken(host: string): Token {
  const normalised = normaliseHost(host);
  return { kind: 'host', text: host, keys: [`h:${normalised}`], compact: compactIdentifier(normalised) };
}

function codeToken(kind: 'iban' | 'account' | 'phone' | 'number', text: string): Token {
  const compact = compactIdentifier(text);
  return { kind, text, keys: [`c:${compact}`], compact };
}

/**
 * Whether a string looks like a password or key: no spaces, and all four character classes in 8+
 * characters or three in 12+ (so that codes such as `INV-3301` are not taken for passwords).
 */
export function looksSecret(text: string): boolean {
  if (text.length < 8 || text.length > 64 || /\s/.test(text)) return false;
  const classes = [/\p{Ll}/u, /\p{Lu}/u, /\p{N}/u, /[^\p{L}\p{N}]/u].filter((c) => c.test(text)).length;
  return classes === 4 || (classes === 3 && text.length >= 12);
}

function secretToken(text: string): Token {
  const normalised = normaliseText(text);
  return { kind: 'secret', text, keys: [`s:${normalised}`], compact: compactIdentifier(text) };
}

/**
 * `(at)`, `[at]`, `{at}` and the same for `dot`, as people (and attackers) spell out addresses. The
 * spaces around are bounded, so a crafted run of spaces costs linear time.
 */
const SPELLED_AT = /[ \t]{0,3}[([{<][ \t]{0,3}at[ \t]{0,3}[)\]}>][ \t]{0,3}/giu;
const SPELLED_DOT = /[ \t]{0,3}[([{<][ \t]{0,3}dot[ \t]{0,3}[)\]}>][ \t]{0,3}/giu;
/** What both spellings need: a text without an opening bracket has none. */
const SPELLED_BRACKET = /[([{<]/u;

/** A text with spelled-out `@` and `.` written as the characters, on both sides of a trace. */
export function unspell(text: string): string {
  if (!SPELLED_BRACKET.test(text)) return text;
  return text.replace(SPELLED_AT, '@').replace(SPELLED_DOT, '.');
}

/**
 * The identifier-like tokens in a text: URLs (and their hosts), emails (and their domains), bare
 * hosts, IBANs, account numbers and other identifiers with at least six digits, phone numbers,
 * file paths and password-like strings. Each appears once per key, in order of first appearance.
 */
export function extractTokens(input: string): Token[] {
  // No identifier is longer than a URL may be; longer runs without spaces are crafted, and would
  // only make the patterns below backtrack.
  let text = unspell(blankLongRuns(input.normalize('NFKC'), MAX_URL_LENGTH));
  const found: Token[] = [];
  const take = (pattern: RegExp, make: (match: string) => Token[], mask = true) => {
    text = text.replace(pattern, (raw) => {
      const match = raw.replace(TRAILING_PUNCTUATION, '');
      found.push(...make(match));
      return mask ? ' '.repeat(raw.length) : raw;
    });
  };
  // Each pattern below is run only on a text holding what every match of it needs (`://` for a
  // URL, `@` for an address, `.` for a host, a slash for a path, an ASCII digit for the codes and
  // numbers): a text without it has no match, and each pass is a scan of the whole text.
  if (text.includes('://')) take(URL_PATTERN, (m) => urlToken('url', m));
  // Other identifiers are short: longer runs are skipped, so no pattern below backtracks far.
  text = blankLongRuns(text, MAX_IDENTIFIER_LENGTH);
  if (text.includes('@'))
    take(EMAIL_PATTERN, (m) => {
      const email = normaliseEmail(m);
      const domain = email.slice(email.lastIndexOf('@') + 1);
      return [
        { kind: 'email', text: m, keys: [`e:${email}`], compact: compactIdentifier(email) },
        hostToken(domain),
      ];
    });
  if (text.includes('.'))
    take(HOST_PATTERN, (m) => {
      const slash = m.indexOf('/');
      const host = slash < 0 ? m : m.slice(0, slash);
      const last = host.slice(host.lastIndexOf('.') + 1).toLowerCase();
      if (FILE_EXTENSIONS.has(last) || /^\d+$/.test(last)) return [];
      return slash < 0 ? [hostToken(host)] : urlToken('url', m);
    });
  if (text.includes('/') || text.includes('\\'))
    take(PATH_PATTERN, (m) =>
      m.length < 3
        ? []
        : [{ kind: 'path', text: m, keys: [`p:${normalisePath(m)}`], compact: compactIdentifier(m) }],
    );
  take(SECRET_CANDIDATE, (m) => (looksSecret(m) ? [secretToken(m)] : []), false);
  if (!ASCII_DIGIT.test(text)) return unique(found);
  take(IBAN_PATTERN, (m) => (digits(m) >= 4 ? [codeToken('iban', m)] : []));
  take(NUMBER_PATTERN, (m) => {
    if (digits(m) < MIN_IDENTIFIER_DIGITS) return [];
    const phone = m.startsWith('+') || m.includes('(');
    const whole = codeToken(phone ? 'phone' : 'number', m);
    // Each digit group of a spaced run counts on its own too: "123456 789012" holds two numbers.
    const groups = phone ? [] : m.split(/\s+/).filter((g) => digits(g) >= MIN_IDENTIFIER_DIGITS && g !== m);
    return [whole, ...groups.map((g) => codeToken('number', g))];
  });
  take(CODE_PATTERN, (m) =>
    digits(m) >= MIN_IDENTIFIER_DIGITS && m.length <= 64 ? [codeToken('account', m)] : [],
  );
  return unique(found);
}

/** Each token once per key, in order of first appearance; none without letters or digits. */
function unique(found: readonly Token[]): Token[] {
  const seen = new Set<string>();
  return found.filter((token) => {
    const key = token.keys[0] ?? '';
    if (seen.has(key) || token.compact === '') return false;
    seen.add(key);
    return true;
  });
}

const CODE_WORD = /(?<![\p{L}\p{N}])[\p{L}\p{N}]+(?:[-_./][\p{L}\p{N}]+)*(?![\p{L}\p{N}])/gu;

/**
 * Keys (`c:`) of the short codes in a text: words with a digit and at least four letters and digits
 * (`c-1003`, `INV-3301`). Too common to scan arguments' free text for, they are indexed so that a
 * sensitive argument that is such a code (a customer or account id) traces to the text naming it.
 */
export function codeWordKeys(text: string): string[] {
  const keys = new Set<string>();
  const add = (word: string) => {
    const compact = compactIdentifier(word);
    if (compact.length >= 4 && compact.length <= 64 && /\d/.test(compact)) keys.add(`c:${compact}`);
  };
  const normalised = text.normalize('NFKC');
  // Every key holds a digit of the normalised text (lower case and NFKC make no ASCII digit of a
  // letter): a text without one has no code words.
  if (!ASCII_DIGIT.test(normalised)) return [];
  let previous: { text: string; end: number } | undefined;
  for (const match of normalised.matchAll(CODE_WORD)) {
    add(match[0]);
    // Two words apart by spaces only count joined too: a code written with a space (`C 1002`).
    if (previous && /^[ \t]+$/u.test(normalised.slice(previous.end, match.index)))
      add(previous.text + match[0]);
    previous = { text: match[0], end: match.index + match[0].length };
  }
  return [...keys];
}

/** The key of a whole string leaf, compared as normalised text. */
export function leafKey(text: string): string {
  return normalisedLeafKey(normaliseText(text));
}

/** `leafKey` of a text already normalised (`normaliseText`), for a caller that normalised it anyway. */
export function normalisedLeafKey(normalised: string): string {
  return `v:${normalised}`;
}

/** Width of the overlapping n-grams that trace a value split across fields or reassembled. */
export const GRAM = 5;

/** Identifiers shorter than this are matched whole only: their n-grams would match by chance. */
export const MIN_PARTIAL_LENGTH = 8;

/** The overlapping n-grams of an identifier's letters and digits, as keys (`g:`), in position order. */
export function gramKeys(compact: string): string[] {
  if (compact.length < MIN_PARTIAL_LENGTH) return [];
  const grams: string[] = [];
  for (let i = 0; i + GRAM <= compact.length; i++) grams.push(`g:${compact.slice(i, i + GRAM)}`);
  return grams;
}
