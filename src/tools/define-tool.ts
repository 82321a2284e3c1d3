import type { z } from 'zod';
import type { ContextFact, OsoValue } from '../authz/types.ts';
import type { IntentRule } from '../guard/intent/rules.ts';
import type { Duration, RiskLevel } from '../guard/types.ts';
import { provenanceProblem } from '../provenance/labels.ts';
import type { ToolProvenance } from '../provenance/types.ts';
import type { ToolServices } from './tool-services.ts';

/** What a tool's `execute` receives besides its arguments. Services hold the credentials. */
export interface ToolContext {
  /** `${workflowId}:${callId}`: the same on every retry of one call; tools dedupe side effects on it. */
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
  intent?: IntentRule[];
  approval?: ApprovalConfig;
  /** Trust zone: tools of zone `z` run on task queue `<main queue>-tools-z`, on workers holding only them. */
  zone?: string;
  /**
   * Trust labels of the output (whole or per field; default untrusted), confidential fields,
   * sensitive arguments, and whether the tool is an external sink: see provenance/types.ts.
   */
  provenance?: ToolProvenance;
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
  intent: IntentRule[];
}

export const DEFAULT_ZONE = 'default';

/** How long one approval stage waits when the tool does not say (`approval.timeout`). */
export const DEFAULT_APPROVAL_TIMEOUT: Duration = '1 hour';

const TOOL_NAME = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/;

export function defineTool<S extends z.ZodType>(config: ToolConfig<S>): ToolDefinition<S> {
  if (!TOOL_NAME.test(config.name))
    throw new Error(`tool name "${config.name}" must look like crm.get_customer`);
  const quorum = config.approval?.quorum ?? 1;
  if (!Number.isInteger(quorum) || quorum < 1) throw new Error(`tool ${config.name}: quorum must be >= 1`);
  if (config.approval?.onTimeout === 'escalate' && !config.approval.escalateTo?.length) {
    throw new Error(`tool ${config.name}: onTimeout 'escalate' needs escalateTo`);
  }
  const provenance = provenanceProblem(config.provenance);
  if (provenance !== undefined) throw new Error(`tool ${config.name}: provenance: ${provenance}`);
  return {
    ...config,
    version: config.version ?? '1',
    category: config.category ?? config.name.split('.')[0] ?? config.name,
    zone: config.zone ?? DEFAULT_ZONE,
    resource: config.resource ?? (() => ({ type: 'Tool', id: config.name })),
    context: config.context ?? (() => []),
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
