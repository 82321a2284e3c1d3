import type { Authorizer } from '../../authz/types.ts';
import type { JudgeModel } from '../../guard/intent/judge.ts';
import type { PublicKeyRing } from '../../guard/signatures.ts';
import type { ToolRegistry } from '../../tools/define-tool.ts';
import type { ToolServices } from '../../tools/tool-services.ts';
import type { CallWindowStore } from './call-window-store.ts';

/** What the guard activities need from the worker process. None of it enters a workflow or history. */
export interface GuardDependencies {
  authorizer: Authorizer;
  tools: ToolRegistry;
  services: ToolServices;
  /** Signs and verifies guard grants. */
  approvalSecret: string;
  /** The approval services' Ed25519 public keys this worker accepts, for approvals and run starts. */
  approvalKeys: PublicKeyRing;
  callWindows: CallWindowStore;
  /** Production refuses approvals and runs whose user was not authenticated by a credential. */
  mode: 'development' | 'production';
  /** Optional second opinion on intent; off unless configured. */
  judge?: JudgeModel;
}
