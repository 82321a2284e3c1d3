import {
  extractTokens,
  GRAM,
  gramKeys,
  leafKey,
  MIN_PARTIAL_LENGTH,
  type Token,
  type TokenKind,
} from './extract.ts';
import { sensitiveKind } from './labels.ts';
import { leavesOf } from './leaves.ts';
import {
  compactIdentifier,
  normaliseEmail,
  normalisePath,
  normaliseText,
  normaliseUrl,
} from './normalise.ts';
import { type PreparedText, preparedText } from './prepared-text.ts';
import type {
  MatchKind,
  ProvenanceSource,
  SensitiveKind,
  ToolProvenance,
  TracedValue,
  ValueOrigin,
} from './types.ts';
import { containsWhole, containsWholeCompact } from './whole-match.ts';

/** An output source of a key, as the index holds it (the key's digest already resolved). */
export type IndexedSource = Extract<ProvenanceSource, { kind: 'output' }>;

/** Finds the indexed sources of keys (`v:`, `u:`, `g:` …) among the run's earlier outputs. */
export type SourceLookup = (
  keys: readonly string[],
) => Promise<ReadonlyMap<string, readonly IndexedSource[]>>;

/** A text the tool worker trusts as the origin of values: the user's request, the agent's instructions. */
export interface TrustedText {
  kind: 'request' | 'instructions';
  text: string;
}

/** One traced unit of an argument leaf: the leaf itself or a token inside it. */
export interface TracedUnit extends TracedValue {
  /** The argument's declared sensitive kind, if any. */
  kind?: SensitiveKind;
  /**
   * Whether this unit decides the argument's taint: every unit of a sensitive identifier argument,
   * and the identifier tokens (URLs, hosts, emails, IBANs, accounts, phones, paths) of free text.
   */
  deciding: boolean;
}

/** Values recorded per call, and sources per value: the record stays small whatever the call. */
export const MAX_TRACED_VALUES = 64;
export const MAX_SOURCES_PER_VALUE = 6;

/** Substrings shorter than this are not looked for in trusted texts: they would be there by chance. */
const MIN_SUBSTRING = 5;
/**
 * A whole argument leaf that decides no taint (a search's query) is looked for from this length: a
 * short name the user typed (`Eli`) is theirs, and what it selects keeps its trust (echo.ts).
 */
const MIN_WHOLE_LEAF = 3;

/** Partially traced values need this share of their characters covered by sources' n-grams. */
const PARTIAL_COVERAGE = 0.8;

interface Unit {
  path: string;
  token: string;
  text: string;
  keys: string[];
  /** Letters and digits matched in parts; empty for free text and for leaves not declared sensitive. */
  compact: string;
  kind?: SensitiveKind;
  deciding: boolean;
  /**
   * The unit names a host (a URL, a host, an email address): trusted only where a trusted source
   * holds its host whole (its `h:`, `u:` or `e:` key, or its whole text), never rebuilt from parts.
   */
  host: boolean;
}

/** Token kinds that name a host. */
const HOST_TOKENS: ReadonlySet<string> = new Set<TokenKind>(['url', 'host', 'email']);

/** Sensitive kinds whose whole value names a host. */
const HOST_KINDS: ReadonlySet<SensitiveKind | undefined> = new Set<SensitiveKind | undefined>([
  'url',
  'email',
]);

/** The keys a whole sensitive leaf compares by, for its declared kind. */
function keysOfKind(kind: SensitiveKind | undefined, text: string): string[] {
  const keys = [leafKey(text)];
  switch (kind) {
    case 'url': {
      const url = normaliseUrl(text);
      if (url) keys.push(`u:${url.hostAndPath}`, `h:${url.host}`);
      break;
    }
    case 'email':
      keys.push(`e:${normaliseEmail(text)}`);
      break;
    case 'path':
      keys.push(`p:${normalisePath(text)}`);
      break;
    case 'secret':
      keys.push(`s:${normaliseText(text)}`);
      break;
    case 'recipient':
    case 'account':
    case 'phone':
      keys.push(`c:${compactIdentifier(text)}`);
      if (text.includes('@')) keys.push(`e:${normaliseEmail(text)}`);
      break;
    default:
      break;
  }
  return keys;
}

/**
 * The tokens that decide a sensitive free-text argument: identifiers that say where something goes
 * or who gets it. The text itself (a document forwarded as asked), and the numbers and secrets in
 * it, are payload: confidentiality looks at those, taint does not.
 */
const DECIDING_TOKENS: ReadonlySet<string> = new Set<TokenKind>([
  'url',
  'host',
  'email',
  'iban',
  'account',
  'phone',
  'path',
]);

/** Whether a unit of an argument of this sensitive kind decides the argument's taint. */
export function decides(kind: SensitiveKind | undefined, token: string): boolean {
  if (kind === undefined) return false;
  // A whole free-text leaf never decides: only the identifiers inside it do.
  if (token === 'value') return kind !== 'text';
  return kind !== 'text' || DECIDING_TOKENS.has(token);
}

function unitsOf(args: unknown, provenance: ToolProvenance | undefined): Unit[] {
  const units: Unit[] = [];
  for (const leaf of leavesOf(args, 2_000)) {
    const kind = sensitiveKind(provenance, leaf.field);
    const leafKeys = keysOfKind(kind, leaf.text);
    const tokens = extractTokens(leaf.text);
    const whole = tokens.find((t) => normaliseText(t.text) === normaliseText(leaf.text));
    units.push({
      path: leaf.path,
      token: 'value',
      text: leaf.text,
      keys: leafKeys,
      compact: kind !== undefined && kind !== 'text' ? compactIdentifier(leaf.text) : '',
      ...(kind ? { kind } : {}),
      deciding: decides(kind, 'value'),
      host: HOST_KINDS.has(kind) || (whole !== undefined && HOST_TOKENS.has(whole.kind)),
    });
    // A leaf of an identifier kind that is one identifier (an address) decides as a whole: the
    // parts of it (the address's domain) are recorded, but they are not another value to trace.
    const single = kind !== undefined && kind !== 'text' && whole !== undefined;
    for (const token of tokens) {
      if (token.keys.every((k) => leafKeys.includes(k))) continue;
      units.push(tokenUnit(leaf.path, token, kind, !single && decides(kind, token.kind)));
    }
  }
  return units;
}

function tokenUnit(path: string, token: Token, kind: SensitiveKind | undefined, deciding: boolean): Unit {
  return {
    path,
    token: token.kind,
    text: token.text,
    keys: token.keys,
    compact: token.compact,
    ...(kind ? { kind } : {}),
    deciding,
    host: HOST_TOKENS.has(token.kind),
  };
}

/** A trusted text of the trace, prepared for comparison (prepared-text.ts). */
interface TrustedComparison extends PreparedText {
  kind: 'request' | 'instructions';
}

function prepare(texts: readonly TrustedText[]): TrustedComparison[] {
  return texts.map(({ kind, text }) => ({ kind, ...preparedText(text) }));
}

/** A unit's letters and digits, for whole matches: none for a whole free-text leaf. */
const unitCompact = (unit: Unit) =>
  unit.compact !== '' ? unit.compact : unit.token === 'value' ? '' : compactIdentifier(unit.text);

/**
 * How a unit matches a trusted text: one of its keys, or its text as a whole (normalised, or as
 * letters and digits), never as a part of a longer identifier of the trusted text.
 */
function trustedMatch(unit: Unit, text: TrustedComparison): MatchKind | undefined {
  if (unit.keys.some((k) => text.keys.has(k))) return 'token';
  const normalised = normaliseText(unit.text);
  const min = unit.token === 'value' && !unit.deciding ? MIN_WHOLE_LEAF : MIN_SUBSTRING;
  if (normalised.length >= min && containsWhole(text.index, normalised)) return 'exact';
  const compact = unitCompact(unit);
  if (compact.length >= MIN_SUBSTRING && containsWholeCompact(text.index, compact)) return 'exact';
  return undefined;
}

function originOf(sources: readonly ProvenanceSource[]): ValueOrigin {
  if (sources.length === 0) return 'unknown';
  return sources.some((s) => s.trust === 'trusted') ? 'trusted' : 'untrusted';
}

const sourceKey = (s: ProvenanceSource) =>
  s.kind === 'output' ? `${s.kind}|${s.callId}|${s.field}` : s.kind;

function addSource(list: ProvenanceSource[], source: ProvenanceSource): void {
  if (!list.some((s) => sourceKey(s) === sourceKey(source))) list.push(source);
}

/** Which positions of `compact` the n-grams in `present` cover. */
function coverage(compact: string, present: (gram: string) => boolean): boolean[] {
  const covered = new Array<boolean>(compact.length).fill(false);
  for (let i = 0; i + GRAM <= compact.length; i++) {
    if (!present(compact.slice(i, i + GRAM))) continue;
    for (let j = i; j < i + GRAM; j++) covered[j] = true;
  }
  return covered;
}

const share = (covered: boolean[]) =>
  covered.length === 0 ? 0 : covered.filter(Boolean).length / covered.length;

/**
 * The sources of every string leaf of a call's arguments and of the identifier-like tokens inside
 * them: the trusted texts (request, instructions), the run's earlier outputs (through `lookup`), or
 * none. A unit with no whole match is looked for in parts (overlapping n-grams of its letters and
 * digits): a value split across fields, or reassembled, still traces to where its parts were.
 * Deterministic for the same index and texts.
 */
export async function traceArguments(
  args: unknown,
  provenance: ToolProvenance | undefined,
  trusted: readonly TrustedText[],
  lookup: SourceLookup,
): Promise<TracedUnit[]> {
  const units = unitsOf(args, provenance);
  const texts = prepare(trusted);
  const found = await lookup([...new Set(units.flatMap((u) => u.keys))]);
  const traced: Array<{ unit: Unit; sources: ProvenanceSource[] }> = units.map((unit) => {
    const sources: ProvenanceSource[] = [];
    for (const text of texts) {
      const match = trustedMatch(unit, text);
      if (match) addSource(sources, { kind: text.kind, trust: 'trusted', match });
    }
    for (const key of unit.keys) {
      for (const source of found.get(key) ?? []) {
        addSource(sources, { ...source, match: key.startsWith('v:') ? 'exact' : 'token' });
      }
    }
    return { unit, sources };
  });

  // Parts: only for units with no whole source, and long enough that parts do not match by chance.
  const partial = traced.filter(
    ({ unit, sources }) => sources.length === 0 && unit.compact.length >= MIN_PARTIAL_LENGTH,
  );
  if (partial.length > 0) {
    const grams = await lookup([...new Set(partial.flatMap(({ unit }) => gramKeys(unit.compact)))]);
    for (const entry of partial) {
      const compact = entry.unit.compact;
      // A trusted text that holds the whole value only inside a longer identifier (no whole match
      // above) does not vouch for its parts either.
      const vouching = texts.filter((t) => !t.compact.includes(compact));
      const inTrusted = (g: string) => vouching.some((t) => t.compact.includes(g));
      const trustedCover = coverage(
        compact,
        (g) => inTrusted(g) || (grams.get(`g:${g}`) ?? []).some((s) => s.trust === 'trusted'),
      );
      const anyCover = coverage(compact, (g) => inTrusted(g) || (grams.get(`g:${g}`)?.length ?? 0) > 0);
      if (share(anyCover) < PARTIAL_COVERAGE) continue;
      if (share(trustedCover) === 1 && !entry.unit.host) {
        for (const text of vouching) {
          if (gramKeys(compact).some((g) => text.compact.includes(g.slice(2))))
            addSource(entry.sources, { kind: text.kind, trust: 'trusted', match: 'partial' });
        }
      }
      // Trusted parts vouch for a value only when they make all of it: a value partly covered by
      // trusted fields (the `.example` every address shares) and partly by untrusted text is the
      // untrusted text's, so its trusted parts are not sources.
      // A host is never vouched for by parts: trusted fragments (`api.acme.example` and `example`)
      // rebuild its parent `acme.example`, which is not the host any trusted source named.
      const wholeTrusted = share(trustedCover) === 1 && !entry.unit.host;
      for (let i = 0; i + GRAM <= compact.length; i++) {
        for (const source of grams.get(`g:${compact.slice(i, i + GRAM)}`) ?? []) {
          if ((source.trust === 'trusted') !== wholeTrusted) continue;
          addSource(entry.sources, { ...source, match: 'partial' });
        }
      }
    }
  }

  return traced.map(({ unit, sources }) => {
    const ordered = [
      ...sources.filter((s) => s.kind !== 'output'),
      ...sources.filter((s) => s.kind === 'output'),
    ];
    return {
      path: unit.path,
      token: unit.token,
      text: unit.text.length > 120 ? `${unit.text.slice(0, 119)}…` : unit.text,
      origin: originOf(sources),
      confidential: sources.some((s) => s.kind === 'output' && s.confidential),
      sources: ordered.slice(0, MAX_SOURCES_PER_VALUE),
      ...(unit.kind ? { kind: unit.kind } : {}),
      deciding: unit.deciding,
    };
  });
}
