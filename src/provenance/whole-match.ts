/**
 * Whether a value occurs in a trusted text as a whole, not as a part of a longer identifier there:
 * `doe@gmail.example` is a different address from the `john.doe@gmail.example` a request names,
 * `https://api.acme.example/hooks` a different URL from `…/hooks/support`, `c-1001` a different
 * customer from `c-10012`. A value found only inside a longer identifier has no trusted source.
 */

const ALNUM = /[\p{L}\p{N}]/u;
/** Characters that join the parts of one identifier (addresses, hosts, paths, grouped codes). */
const JOINERS = new Set(['.', '@', '_', '%', '+', '-', '/', ':', '\\']);

const DIGIT = /\p{N}/u;

const alnum = (ch: string | undefined) => ch !== undefined && ALNUM.test(ch);
const digit = (ch: string | undefined) => ch !== undefined && DIGIT.test(ch);

/**
 * Whether the text continues an identifier at `at`, next to a match whose edge character is
 * `edge`, looking away from the match (`step` -1 before it, +1 after it): a letter or digit right
 * there, a joiner followed by one, or a space between digits (the groups of an IBAN or a number).
 */
function continues(chars: readonly string[], at: number, step: 1 | -1, edge: string | undefined): boolean {
  const next = chars[at];
  if (next === undefined) return false;
  if (alnum(next)) return true;
  const beyond = chars[at + step];
  if (JOINERS.has(next)) return alnum(beyond);
  return next === ' ' && digit(edge) && digit(beyond);
}

/** A normalised text prepared for whole matches: its code points and its letters and digits. */
export interface CompactIndex {
  text: string;
  chars: string[];
  /** The code point index of each UTF-16 offset of `text` (a match offset becomes a position). */
  pointAt: number[];
  compact: string;
  /** The code point index in `chars` of each UTF-16 offset of `compact`. */
  compactPointAt: number[];
}

export function compactIndex(normalised: string): CompactIndex {
  const chars = [...normalised];
  const pointAt: number[] = [];
  const compactPointAt: number[] = [];
  let compact = '';
  chars.forEach((ch, i) => {
    for (let unit = 0; unit < ch.length; unit++) pointAt.push(i);
    if (!alnum(ch)) return;
    for (let unit = 0; unit < ch.length; unit++) compactPointAt.push(i);
    compact += ch;
  });
  return { text: normalised, chars, pointAt, compact, compactPointAt };
}

function occurrences(haystack: string, needle: string): number[] {
  const found: number[] = [];
  if (needle === '') return found;
  for (let i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) found.push(i);
  return found;
}

/** Whether the code points `start`…`end` of the text have no identifier around them. */
const standsAlone = (index: CompactIndex, start: number | undefined, end: number | undefined) =>
  start !== undefined &&
  end !== undefined &&
  !continues(index.chars, start - 1, -1, index.chars[start]) &&
  !continues(index.chars, end + 1, 1, index.chars[end]);

/** `needle` (normalised) occurs in the text with no identifier around it. */
export function containsWhole(index: CompactIndex, needle: string): boolean {
  return occurrences(index.text, needle).some((offset) =>
    standsAlone(index, index.pointAt[offset], index.pointAt[offset + needle.length - 1]),
  );
}

/**
 * `compact` (letters and digits) occurs in the text's letters and digits, its first and last
 * character where an identifier of the text starts and ends (whatever separators are in between:
 * `DE89 3704 0044` holds `de8937040044`).
 */
export function containsWholeCompact(index: CompactIndex, compact: string): boolean {
  return occurrences(index.compact, compact).some((offset) =>
    standsAlone(index, index.compactPointAt[offset], index.compactPointAt[offset + compact.length - 1]),
  );
}
