/**
 * Plain-JSON shapes of provenance: what tools declare about their output and arguments, and what
 * the tool worker records about each call. They enter Temporal histories (in the guarded call's
 * result and the decision record) and are imported by workflow code, so they hold no functions.
 */

/** Who wrote a value: the system or the user (trusted), or someone outside (untrusted). */
export type TrustLabel = 'trusted' | 'untrusted';

/**
 * What a sensitive argument holds, which decides how it is traced: the whole value is one
 * identifier (`recipient`, `account`, `url`, `email`, `path`, `secret`, `phone`), or it is free text
 * (`text`) whose identifier-like tokens are traced one by one.
 */
export type SensitiveKind = 'recipient' | 'account' | 'url' | 'email' | 'path' | 'secret' | 'phone' | 'text';

/**
 * The trust of a tool's output. Field paths name object keys joined by `.`, arrays by `[]`
 * (`tickets[].body`); the longest declared prefix of a value's path decides. `''` is the whole output.
 */
export interface OutputLabels {
  /** The output as a whole. Default: untrusted (see `DEFAULT_OUTPUT_TRUST`). */
  trust?: TrustLabel;
  /** Per field path, overriding `trust` for that field and what is under it. */
  fields?: Record<string, TrustLabel>;
  /** Field paths whose values are confidential (customer PII, balances, secrets); `''` for all. */
  confidential?: string[];
}

/** What a tool declares for provenance in `defineTool({ provenance })`. */
export interface ToolProvenance {
  output?: OutputLabels;
  /** Argument paths (same syntax as output field paths) that must not come from untrusted content only. */
  sensitive?: Record<string, SensitiveKind>;
  /** The call sends data outside the deployment (HTTP, email, a payment subject, an export). */
  externalSink?: boolean;
  /** What a tainted sensitive argument does to the call. Default: escalate (a person decides). */
  onTainted?: 'escalate' | 'deny';
  /**
   * Argument paths that choose what the output holds (a search's query, a lookup's id); default:
   * every argument. The output is only as trusted as they are: when one of them has no trusted
   * source in a run that has read untrusted content, every field of the output is untrusted.
   */
  selects?: string[];
}

/** What an agent declares in `defineAgent({ provenance })`; the stricter of agent and tool applies. */
export interface AgentProvenance {
  onTainted?: 'escalate' | 'deny';
}

/** How a traced value matched a source: as a whole, as an identifier token, or reassembled from parts. */
export type MatchKind = 'exact' | 'token' | 'partial';

/** Where a value of the call was found. Never holds the value itself. */
export type ProvenanceSource =
  | { kind: 'request'; trust: 'trusted'; match: MatchKind }
  | { kind: 'instructions'; trust: 'trusted'; match: MatchKind }
  | {
      kind: 'output';
      callId: string;
      tool: string;
      /** The output field path, arrays as `[]`. */
      field: string;
      trust: TrustLabel;
      confidential: boolean;
      match: MatchKind;
      /**
       * The argument of that call that made its output untrusted whatever the field's label: it had
       * no trusted source (a name a ticket's text gave, searched for), so neither has what it found.
       */
      selectedBy?: string;
    };

/** What a traced value of the call is, by its sources. */
export type ValueOrigin =
  /** At least one trusted source (the request, the instructions, a trusted field). */
  | 'trusted'
  /** Untrusted sources only. */
  | 'untrusted'
  /** No source: the model wrote it. */
  | 'unknown';

/** One argument string leaf, or one identifier-like token inside it, with its sources. */
export interface TracedValue {
  /** The argument path, with array indices (`items[0].iban`). */
  path: string;
  /** `value` for the whole leaf, else the token's kind (`url`, `host`, `email`, `iban`, …). */
  token: string;
  /** The text as it appears in this call's own arguments, cut to 120 characters. */
  text: string;
  origin: ValueOrigin;
  confidential: boolean;
  sources: ProvenanceSource[];
}

/** A sensitive argument whose value comes from untrusted content only. */
export interface TaintedArgument {
  path: string;
  kind: SensitiveKind;
  /** The traced values that made it tainted (their `text` and sources are in `values`). */
  texts: string[];
  /**
   * The values have no source at all (not untrusted ones) and the run had read untrusted content:
   * an identifier the model assembled, reformatted or spelled out from what it read.
   */
  unverified?: boolean;
}

/** An argument of an external sink's call that carries a confidential value. */
export interface ConfidentialArgument {
  path: string;
  texts: string[];
}

/**
 * How the request text was counted: `verified` against the digest the requester assertion signs,
 * `assumed` (development mode, nothing to verify against), `not_counted` (no text, or no digest in
 * production): values from it then have no `request` source.
 */
export type RequestStanding = 'verified' | 'assumed' | 'not_counted';

/** The provenance of one call, as the tool worker decided it; recorded in the history. */
export interface CallProvenance {
  request: RequestStanding;
  values: TracedValue[];
  tainted: TaintedArgument[];
  confidential: ConfidentialArgument[];
  /** `clear`: nothing to add; `escalate`: a person decides; `deny`: refused. */
  verdict: 'clear' | 'escalate' | 'deny';
  reasons: string[];
  /** Whether the policy accepted the tainted arguments (`accept_tainted` on the tool), when asked. */
  policyAccepted?: boolean;
  /**
   * Whether the policy accepted the call's destinations for its confidential payload
   * (`accept_confidential` on the tool), when asked; accepted values stay in `confidential`.
   */
  confidentialAccepted?: boolean;
  /** The values traced were more than recorded: the record keeps the first ones. */
  truncated?: boolean;
}
