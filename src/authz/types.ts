/** A typed entity: `{type: 'Agent', id: 'support-bot'}`. Strings, integers and booleans are plain values. */
export type OsoValue = { type: string; id: string };

export type FactArg = OsoValue | string | number | boolean;

/** A fact: `['acts_for', {type:'Agent',id:'support-bot'}, {type:'User',id:'alice'}]`. */
export type ContextFact = [predicate: string, ...args: FactArg[]];
export type Fact = ContextFact;

export type EngineName = 'embedded' | 'oso-cloud';

export interface AuthzRequest {
  actor: OsoValue;
  action: string;
  resource: OsoValue;
  /** The user an agent acts for; sent as the context fact `acts_for(actor, onBehalfOf)`. */
  onBehalfOf?: OsoValue;
  context?: ContextFact[];
}

/** Plain JSON: decisions are stored in Temporal histories and exported as the audit trail. */
export interface AuthzDecision {
  allowed: boolean;
  action: string;
  actor: OsoValue;
  onBehalfOf?: OsoValue;
  resource: OsoValue;
  /** Every context fact the engine saw, including the derived `acts_for`. */
  context: ContextFact[];
  engine: EngineName;
  policyVersion: string;
  factsVersion: string;
  durationMs: number;
  reason: string;
  error?: string;
  cached?: boolean;
}

/** One action on many resources, e.g. the records a search returned: one answer per resource. */
export interface BatchAuthzRequest {
  actor: OsoValue;
  action: string;
  resources: OsoValue[];
  /** The user an agent acts for; sent as the context fact `acts_for(actor, onBehalfOf)`. */
  onBehalfOf?: OsoValue;
  context?: ContextFact[];
}

/** Plain JSON like `AuthzDecision`, without the resources' ids: it says how many, not which. */
export interface BatchAuthzDecision {
  /** `allowed[i]` answers `resources[i]`; all false when `error` is set. */
  allowed: boolean[];
  action: string;
  actor: OsoValue;
  onBehalfOf?: OsoValue;
  engine: EngineName;
  policyVersion: string;
  factsVersion: string;
  durationMs: number;
  error?: string;
}

/**
 * One record a call touches, decided twice: for the user on her own authority and for the agent
 * acting for her. Both must allow; `deniedFor` says who did not.
 */
export interface RecordCheck {
  action: string;
  resource: OsoValue;
  allowed: boolean;
  deniedFor: Array<'user' | 'agent'>;
  user: AuthzDecision;
  agent: AuthzDecision;
  reason: string;
}

/** What filtering a tool's output did: how many records were checked and removed, never which. */
export interface RecordFilter {
  action: string;
  resourceType: string;
  checked: number;
  removed: number;
  engine: EngineName;
  policyVersion: string;
  factsVersion: string;
  durationMs: number;
  /** Set when the PDP failed: every record was removed. */
  error?: string;
}

export interface Authorizer {
  readonly engine: EngineName;
  policyVersion(): string;
  factsVersion(): string;
  /** Never rejects: any failure is a deny whose `error` says why. */
  authorize(req: AuthzRequest): Promise<AuthzDecision>;
  /**
   * Which of `req.resources` the actor may perform `req.action` on, decided on one policy and facts
   * snapshot. Never rejects: any failure denies every resource and `error` says why.
   */
  authorizeBatch(req: BatchAuthzRequest): Promise<BatchAuthzDecision>;
  /** The actions `actor` may perform on `resource`; an empty list on error (fail closed). */
  actions(actor: OsoValue, resource: OsoValue, context?: ContextFact[]): Promise<string[]>;
  insertFacts(facts: Fact[]): Promise<void>;
  /** Deletes facts; `null` arguments are wildcards. */
  deleteFacts(patterns: FactPattern[]): Promise<void>;
  /** Every entity of `type` that appears in a stored fact. */
  knownValues(type: string): Promise<OsoValue[]>;
  /**
   * Replaces the policy and the stored facts with those of `dir` (default: the directory it was
   * created from). Everything is loaded and checked first, then switched at once; on any error it
   * throws `PolicyError` and keeps deciding with the current policy and facts. Facts changed at run
   * time are replaced by the directory's facts file.
   */
  reloadPolicy(dir?: string): Promise<PolicyReload>;
  close(): Promise<void>;
}

/** What a successful `reloadPolicy` switched to. */
export interface PolicyReload {
  dir: string;
  previousPolicyVersion: string;
  policyVersion: string;
  factsVersion: string;
  /** How many stored facts the new policy decides with. */
  facts: number;
}

export type FactPattern = [predicate: string, ...args: Array<FactArg | null>];

/** A load-time problem: bad policy, bad facts file, unknown predicate. Refuses to start. */
export class PolicyError extends Error {
  override name = 'PolicyError';
}
