/**
 * Provenance: where each argument of a guarded call came from, decided by the tool worker.
 *
 * Stable API (host side; the types are also in `warden/workflow` through `definitions.ts`):
 * - Declarations: `ToolProvenance` (`defineTool({ provenance: { output, sensitive, externalSink,
 *   onTainted } })`), `AgentProvenance` (`defineAgent({ provenance: { onTainted } })`),
 *   `OutputLabels`, `TrustLabel`, `SensitiveKind`; `DEFAULT_OUTPUT_TRUST` (untrusted).
 * - Records: `CallProvenance` (in `GuardedCallResult.provenance` and `DecisionRecord.provenance`),
 *   `TracedValue`, `ProvenanceSource`, `TaintedArgument`, `ConfidentialArgument`, `RequestStanding`.
 * - Steps, one concept a module: `extractTokens` (identifier-like tokens in text), the normalisers,
 *   `leavesOf`, `ProvenanceIndex` (`recordOutput`, `lookupFor`, over `SqliteProvenanceStore`),
 *   `traceArguments`, `decideProvenance`, `describeSource` (a source in words), `requestDigest`
 *   and `requestStanding` (the request text against the signed digest); `decides` (whether a
 *   traced unit of a sensitive kind decides its argument's taint).
 * - Words for people: `explainProvenance` / `explainValue` (each value and where it was written),
 *   `whyPerson` (why a call needs a person), `requestStandingWords`, `requesterName`.
 * - Policy: a tainted call asks the PDP `accept_tainted` on the tool with the context fact
 *   `tainted_argument(Tool, "<argument path>", "<value>")`, once per tainted value; a call whose
 *   payload carries a confidential value asks `accept_confidential` with the context fact
 *   `confidential_destination(Tool, "<argument path>", "<value>")`, once per destination.
 * - Rules: in a run that has read untrusted content (`ProvenanceIndex.readUntrusted`), an identifier
 *   with no source at all is tainted too (`TaintedArgument.unverified`); only the identifier tokens
 *   of a free-text argument decide its taint; confidentiality looks at the payload arguments
 *   (`destinationsOf` names the others), never at a value the user's request names. A lookup is
 *   only as trusted as what selected it: in a run that has read untrusted content, the output of a
 *   call whose selecting argument (`ToolProvenance.selects`, default every argument) has no trusted
 *   source is untrusted as a whole (`ProvenanceSource.selectedBy` says which argument). A host, URL
 *   or address is trusted only where a trusted source holds its host whole, never from fragments.
 *
 * Each name keeps its meaning and signature; fields may be added, never renamed or removed.
 */
export {
  type Destination,
  decideProvenance,
  describeSource,
  destinationsOf,
  type ProvenanceDecisionInput,
} from './decide.ts';
export {
  extractTokens,
  GRAM,
  gramKeys,
  leafKey,
  looksSecret,
  MIN_IDENTIFIER_DIGITS,
  MIN_PARTIAL_LENGTH,
  type Token,
  type TokenKind,
  unspell,
} from './extract.ts';
export { KeyedDigest } from './keyed-digest.ts';
export {
  coversPath,
  DEFAULT_OUTPUT_TRUST,
  fieldPath,
  outputLabel,
  provenanceProblem,
  sensitiveKind,
} from './labels.ts';
export { type Leaf, leavesOf } from './leaves.ts';
export {
  compactIdentifier,
  normaliseEmail,
  normaliseHost,
  normalisePath,
  normaliseText,
  normaliseUrl,
} from './normalise.ts';
export { type ExecutedCall, ProvenanceIndex } from './provenance-index.ts';
export { requestDigest } from './request-digest.ts';
export { requestStanding } from './request-standing.ts';
export {
  type IndexEntry,
  type ProvenanceStore,
  SqliteProvenanceStore,
  type StoredEntry,
} from './sqlite-provenance-store.ts';
export {
  decides,
  type IndexedSource,
  MAX_SOURCES_PER_VALUE,
  MAX_TRACED_VALUES,
  type SourceLookup,
  type TracedUnit,
  type TrustedText,
  traceArguments,
} from './trace.ts';
export type {
  AgentProvenance,
  CallProvenance,
  ConfidentialArgument,
  MatchKind,
  OutputLabels,
  ProvenanceSource,
  RequestStanding,
  SensitiveKind,
  TaintedArgument,
  ToolProvenance,
  TracedValue,
  TrustLabel,
  ValueOrigin,
} from './types.ts';
