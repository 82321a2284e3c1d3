import type { AgentCatalog } from '../../agents/define-agent.ts';
import type { Authorizer } from '../../authz/types.ts';
import type { JudgeModel } from '../../guard/intent/judge.ts';
import type { PublicKeyRing } from '../../guard/signatures.ts';
import type { ProvenanceIndex } from '../../provenance/provenance-index.ts';
import type { ToolRegistry } from '../../tools/define-tool.ts';
import type { ToolServices } from '../../tools/tool-services.ts';
import type { UsageStore } from '../../usage/usage-store.ts';
import type { ZoneKeyring } from '../../zones/zone-keyring.ts';

/** What the guard activities need from the worker process. None of it enters a workflow or history. */
export interface GuardDependencies {
  authorizer: Authorizer;
  tools: ToolRegistry;
  /** The deployment's agents: their rules and purpose scopes are what the guard enforces. */
  agents: AgentCatalog;
  services: ToolServices;
  /** Signs and verifies guard grants. */
  approvalSecret: string;
  /** The approval services' Ed25519 public keys this worker accepts, for approvals and run starts. */
  approvalKeys: PublicKeyRing;
  /** Per-run counts, per-window limits and one-time execution claims, shared by all workers. */
  usage: UsageStore;
  /** What the run's executed calls returned, as keyed digests: where a call's arguments came from. */
  provenance: ProvenanceIndex;
  /** Signs this worker's tool results with its zone's key; gives the main worker the public keys. */
  zoneKeys: ZoneKeyring;
  /** Production refuses approvals and runs whose user was not authenticated by a credential. */
  mode: 'development' | 'production';
  /** Optional second opinion on intent; off unless configured. */
  judge?: JudgeModel;
}
