import { LruCache } from '../guard/lru-cache.ts';
import { extractTokens } from './extract.ts';
import { normaliseText } from './normalise.ts';
import { type CompactIndex, compactIndex } from './whole-match.ts';

/** What a trusted text offers for comparison: the same for the same text, whatever the call. */
export interface PreparedText {
  /** Its normalised text and letters and digits (`compact`), for whole matches. */
  readonly index: CompactIndex;
  readonly compact: string;
  /** The keys of its identifier-like tokens. */
  readonly keys: ReadonlySet<string>;
}

/**
 * Texts prepared recently. The agent's instructions are the same in every call and a run's request
 * in each of its calls, and preparing them (normalising, indexing, extracting tokens) was half of
 * what a trace cost: a worker prepares each once. A prepared text holds a few dozen bytes per
 * character (its code points and offsets), so the cache is bounded in entries and in the length of
 * what it keeps: at most a few MB, whatever the runs send. The instructions, used by every call,
 * stay while requests of many runs come and go.
 */
const prepared = new LruCache<PreparedText>(32);
/** Longer texts are prepared for each trace and not kept. */
const MAX_KEPT_LENGTH = 8_000;

/** `text` prepared for whole and token matches; a pure function of the text, shared read-only. */
export function preparedText(text: string): PreparedText {
  const known = prepared.get(text);
  if (known !== undefined) return known;
  const index = compactIndex(normaliseText(text));
  const made: PreparedText = {
    index,
    compact: index.compact,
    keys: new Set(extractTokens(text).flatMap((t) => t.keys)),
  };
  if (text.length <= MAX_KEPT_LENGTH) prepared.set(text, made);
  return made;
}
