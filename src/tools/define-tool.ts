import { msToNumber } from '@temporalio/common';
import type { z } from 'zod';
import type { ContextFact, OsoValue } from '../authz/types.ts';
import type { IntentRule } from '../guard/intent/rules.ts';
import type { Duration, RiskLevel } from '../guard/types.ts';
import { provenanceProblem } from '../provenance/labels.ts';
import type { ToolProvenance } from '../provenance/types.ts';
import type { ToolServices } from './tool-services.ts';

/**
 * The HTTP header that carries a call's idempotency key to an API that honours it (Stripe, Adyen and
 * the IETF draft use this name): the receiver applies a retried request once.
 */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/** What a tool's `execute` receives besides its arguments. Services hold the credentials. */
export interface ToolContext {
  /**
   * `${workflowId}:${callId}`: the same on every retry of one call. Warden retries a call whose
   * worker died, so an effect is exactly-once only where its store dedupes on this key (a UNIQUE
   * column, or the `Idempotency-Key` header of an API that honours it).
   */
  idempotencyKey: string;
  callId: string;
  workflowId: string;
  attempt: number;
  agent: OsoValue;
  onBehalfOf: OsoValue;
  services: ToolServices;
}

export interface ApprovalConfig {
  /** Distinct approvers needed. Default 1. */
  quorum?: number;
  /** How long one approval stage waits. Default 1 hour. */
  timeout?: Duration;
  /** After a timeout: reject (fail closed, the default) or ask the `escalateTo` group. */
  onTimeout?: 'reject' | 'escalate';
  /** User ids of the next approver group; each still needs `approve` from the policy. */
  escalateTo?: string[];
}

/** One record a call touches and what it does to it: `read` on `Customer:c-1001`. */
export interface RecordAccess {
  action: string;
  resource: OsoValue;
}

/**
 * Where the records are in a list or search tool's output, so that the tool worker can remove every
 * record the user (or the agent) may not perform `action` on before the output leaves it.
 * Declarative on purpose: the output may carry crafted data, and no tool code runs over it.
 */
export interface ResultRecords {
  /** Property names leading from the output to the array of records; none when the output is the array. */
  path?: readonly string[];
  /** The resource type of each record, e.g. `Customer`. */
  type: string;
  /** The record property holding its id (a non-empty string); a record without one is removed. */
  idField: string;
  /** Default `read`. */
  action?: string;
}

export interface ToolConfig<S extends z.ZodType> {
  name: string;
  description: string;
  /** Bumped when the meaning of the arguments changes; part of the approval digest. Default '1'. */
  version?: string;
  /** Default: the prefix of the name before the first dot (`crm.get_customer` → `crm`). */
  category?: string;
  parameters: S;
  risk: RiskLevel;
  /** The Oso resource a call is authorized against. Default `Tool:<name>`. */
  resource?(args: z.infer<S>): OsoValue;
  /** Per-call facts for the policy, e.g. `refund_amount(Tool:crm.issue_refund, 250)`. */
  context?(args: z.infer<S>): ContextFact[];
  /**
   * The records a call touches, from its validated arguments, e.g. `read` on `Customer:<customerId>`.
   * The tool worker checks each for the agent and for the user it acts for, besides the tool check.
   */
  records?(args: z.infer<S>): RecordAccess[];
  /** For list and search tools: the records of the output, filtered before anyone sees them. */
  results?: ResultRecords;
  intent?: IntentRule[];
  /** Every call of this tool is also reviewed by the project's judge model, whichever agent calls. Default false. */
  judge?: boolean;
  approval?: ApprovalConfig;
  /** Trust zone: tools of zone `z` run on task queue `<main queue>-tools-z`, on workers holding only them. */
  zone?: string;
  /**
   * Trust labels of the output (whole or per field; default untrusted), confidential fields,
   * sensitive arguments, and whether the tool is an external sink: see provenance/types.ts.
   */
  provenance?: ToolProvenance;
  /**
   * How long the tool worker may go silent before the call's attempt counts as lost and is retried
   * (the worker heartbeats while the tool runs). Default `DEFAULT_TOOL_HEARTBEAT_TIMEOUT`; a tool
   * whose `execute` blocks the event loop for longer needs more.
   */
  heartbeatTimeout?: Duration;
  /** Records a call read, from its output; feeds per-run volume rules. Default 0. */
  recordsRead?(output: unknown): number;
  // Method syntax on purpose: a registry holds tools of different argument types.
  execute(args: z.infer<S>, ctx: ToolContext): Promise<unknown>;
}

/** A tool with its defaults filled in. Importable from workflow code: it holds no services. */
export interface ToolDefinition<S extends z.ZodType = z.ZodType> extends ToolConfig<S> {
  version: string;
  category: string;
  zone: string;
  resource(args: z.infer<S>): OsoValue;
  context(args: z.infer<S>): ContextFact[];
  records(args: z.infer<S>): RecordAccess[];
  intent: IntentRule[];
}

export const DEFAULT_ZONE = 'default';

/**
 * A killed tool worker's call is retried this long after its last heartbeat, instead of after the
 * 2-minute start-to-close timeout.
 */
export const DEFAULT_TOOL_HEARTBEAT_TIMEOUT: Duration = '15 seconds';

/** How long one attempt of a tool activity may take in all (start-to-close). */
export const TOOL_START_TO_CLOSE_MS = 120_000;

/** How long one approval stage waits when the tool does not say (`approval.timeout`). */
export const DEFAULT_APPROVAL_TIMEOUT: Duration = '1 hour';

const TOOL_NAME = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/;

export function defineTool<S extends z.ZodType>(config: ToolConfig<S>): ToolDefinition<S> {
  if (!TOOL_NAME.test(config.name))
    throw new Error(`tool name "${config.name}" must look like crm.get_customer`);
  if (config.judge !== undefined && typeof config.judge !== 'boolean')
    throw new Error(`tool ${config.name}: judge is true or false`);
  const quorum = config.approval?.quorum ?? 1;
  if (!Number.isInteger(quorum) || quorum < 1) throw new Error(`tool ${config.name}: quorum must be >= 1`);
  if (config.approval?.onTimeout === 'escalate' && !config.approval.escalateTo?.length) {
    throw new Error(`tool ${config.name}: onTimeout 'escalate' needs escalateTo`);
  }
  const provenance = provenanceProblem(config.provenance);
  if (provenance !== undefined) throw new Error(`tool ${config.name}: provenance: ${provenance}`);
  const results = config.results;
  if (results !== undefined && (results.type === '' || results.idField === '' || results.action === '')) {
    throw new Error(`tool ${config.name}: results needs a resource type, an id field and an action`);
  }
  if (config.heartbeatTimeout !== undefined) {
    const ms = msToNumber(config.heartbeatTimeout);
    if (!(ms >= 1_000 && ms <= TOOL_START_TO_CLOSE_MS)) {
      throw new Error(`tool ${config.name}: heartbeatTimeout must be between 1 second and 2 minutes`);
    }
  }
  return {
    ...config,
    version: config.version ?? '1',
    category: config.category ?? config.name.split('.')[0] ?? config.name,
    zone: config.zone ?? DEFAULT_ZONE,
    resource: config.resource ?? (() => ({ type: 'Tool', id: config.name })),
    context: config.context ?? (() => []),
    records: config.records ?? (() => []),
    intent: config.intent ?? [],
  };
}

export type ToolRegistry = ReadonlyMap<string, ToolDefinition>;

export function toolRegistry(tools: readonly ToolDefinition[]): ToolRegistry {
  const registry = new Map<string, ToolDefinition>();
  for (const tool of tools) {
    if (registry.has(tool.name)) throw new Error(`tool ${tool.name} is defined twice`);
    registry.set(tool.name, tool);
  }
  return registry;
}

/** Task queue of a trust zone; the default zone runs on the main queue. */
export function zoneTaskQueue(mainQueue: string, zone: string): string {
  return zone === DEFAULT_ZONE ? mainQueue : `${mainQueue}-tools-${zone}`;
}

/** The trust zones other than the default one that the registry's tools use. */
export function toolZones(registry: ToolRegistry): string[] {
  return [...new Set([...registry.values()].map((tool) => tool.zone))]
    .filter((z) => z !== DEFAULT_ZONE)
    .sort();
}
