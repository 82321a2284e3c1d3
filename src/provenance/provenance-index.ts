import path from 'node:path';
import { LruCache } from '../guard/lru-cache.ts';
import type { RunKey } from '../usage/usage-store.ts';
import { echoTrust } from './echo.ts';
import { codeWordKeys, extractTokens, gramKeys, normalisedLeafKey } from './extract.ts';
import { KeyedDigest } from './keyed-digest.ts';
import { outputLabel } from './labels.ts';
import { leavesOf } from './leaves.ts';
import { lettersAndDigits, normaliseText } from './normalise.ts';
import { type IndexEntry, type ProvenanceStore, SqliteProvenanceStore } from './sqlite-provenance-store.ts';
import type { IndexedSource, SourceLookup } from './trace.ts';
import type { ToolProvenance } from './types.ts';

/** What the index needs of an executed call: its id, its tool's name and labels, what it returned. */
export interface ExecutedCall {
  callId: string;
  tool: { name: string; provenance?: ToolProvenance };
  output: unknown;
  /** What the call was told without a trusted source (`untrustedEchoes`): its echoes stay untrusted. */
  echoes?: readonly string[];
  /**
   * The argument that selected the output without a trusted source (`untrustedSelection`): every
   * field of the output is then untrusted, whatever its label, and says so.
   */
  selectedBy?: string;
}

/**
 * The key every output with an untrusted field adds once: whether a run has read untrusted content
 * at all is then one lookup, and no value's key can equal it (value keys have a one-letter class).
 */
const UNTRUSTED_READ_KEY = 'run:untrusted-read';

/** Whole leaves longer than this are traced by their tokens only. */
const MAX_WHOLE_LEAF = 512;
/** Short leaves are also indexed in parts: pieces of a value split across fields. */
const MAX_SPLIT_PIECE = 64;
/** Rows per output: a huge output is indexed up to this many, first fields first. */
const MAX_ENTRIES_PER_OUTPUT = 50_000;

/**
 * The tool worker's provenance index: what each executed call of a run returned, as keyed digests of
 * its normalised leaves, tokens and n-grams, each with the call, tool, field path and the field's
 * label. Workflow code never writes it and never reads it.
 */
export class ProvenanceIndex {
  private readonly digest: KeyedDigest;
  /**
   * Workflow ids whose runs are known to have read untrusted content. The index only grows (no row
   * is ever removed), so a yes stays yes and is not read again; a no is read from the store each
   * time, since another worker may have indexed an untrusted output since.
   */
  private readonly untrustedReaders = new LruCache<true>(4_096);

  constructor(
    private readonly store: ProvenanceStore,
    secret: string,
  ) {
    this.digest = new KeyedDigest(secret);
  }

  /** The deployment's index under its data directory, keyed from the workers' shared secret. */
  static inDataDir(dataDir: string, secret: string): ProvenanceIndex {
    return new ProvenanceIndex(new SqliteProvenanceStore(path.join(dataDir, 'provenance.sqlite')), secret);
  }

  /** The rows an executed call adds: every key of every leaf of its output, labelled by field. */
  entriesOf(workflowId: string, call: ExecutedCall): IndexEntry[] {
    const entries = new Map<string, IndexEntry>();
    let untrustedRead = false;
    const echoes = new Set(call.echoes ?? []);
    for (const leaf of leavesOf(call.output)) {
      const declared = outputLabel(call.tool.provenance?.output, leaf.field);
      const label: Pick<IndexEntry, 'trust' | 'confidential' | 'selectedBy'> =
        call.selectedBy === undefined
          ? { ...declared, trust: echoTrust(declared.trust, leaf.text, echoes) }
          : { ...declared, trust: 'untrusted', selectedBy: call.selectedBy };
      if (label.trust === 'untrusted' && !untrustedRead) {
        untrustedRead = true;
        const digest = this.digest.of(workflowId, UNTRUSTED_READ_KEY);
        entries.set(`${digest}|`, { digest, callId: call.callId, tool: call.tool.name, field: '', ...label });
      }
      const keys = new Set<string>();
      // Normalised once: the leaf's key and its letters and digits are both made from it.
      const normalised = normaliseText(leaf.text);
      if (normalised.length <= MAX_WHOLE_LEAF) keys.add(normalisedLeafKey(normalised));
      if (normalised.length <= MAX_SPLIT_PIECE)
        for (const g of gramKeys(lettersAndDigits(normalised))) keys.add(g);
      for (const key of codeWordKeys(leaf.text)) keys.add(key);
      for (const token of extractTokens(leaf.text)) {
        for (const key of token.keys) keys.add(key);
        for (const g of gramKeys(token.compact)) keys.add(g);
      }
      for (const key of keys) {
        const digest = this.digest.of(workflowId, key);
        const id = `${digest}|${leaf.field}`;
        if (entries.has(id)) continue;
        entries.set(id, { digest, callId: call.callId, tool: call.tool.name, field: leaf.field, ...label });
        if (entries.size >= MAX_ENTRIES_PER_OUTPUT) return [...entries.values()];
      }
    }
    return [...entries.values()];
  }

  /** Indexes what an executed call returned, after the tool ran (and before its result is signed). */
  async recordOutput(run: RunKey, call: ExecutedCall, now = Date.now()): Promise<void> {
    await this.store.add(run, this.entriesOf(run.workflowId, call), now);
  }

  /** The lookup of one run's earlier outputs, for `traceArguments`. */
  lookupFor(workflowId: string): SourceLookup {
    return async (keys) => {
      const byDigest = new Map<string, string[]>();
      for (const key of keys) {
        const digest = this.digest.of(workflowId, key);
        byDigest.set(digest, [...(byDigest.get(digest) ?? []), key]);
      }
      const found = new Map<string, IndexedSource[]>();
      for (const row of await this.store.find(workflowId, [...byDigest.keys()])) {
        for (const key of byDigest.get(row.digest) ?? []) {
          const source: IndexedSource = {
            kind: 'output',
            callId: row.callId,
            tool: row.tool,
            field: row.field,
            trust: row.trust,
            confidential: row.confidential,
            match: 'token',
            ...(row.selectedBy !== undefined ? { selectedBy: row.selectedBy } : {}),
          };
          found.set(key, [...(found.get(key) ?? []), source]);
        }
      }
      return found;
    };
  }

  /** Whether the run has read untrusted content: an output of it had an untrusted field. */
  async readUntrusted(workflowId: string): Promise<boolean> {
    if (this.untrustedReaders.get(workflowId) === true) return true;
    const digest = this.digest.of(workflowId, UNTRUSTED_READ_KEY);
    const read = (await this.store.find(workflowId, [digest])).length > 0;
    if (read) this.untrustedReaders.set(workflowId, true);
    return read;
  }

  close(): void {
    this.store.close();
  }
}
