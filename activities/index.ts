import { resolveApprovalSecret } from '../approvals/approval-secret.ts';
import { createAuthorizer } from '../authz/create-authorizer.ts';
import type { WardenConfig } from '../config/env.ts';
import { CrmService } from '../services/crm/crm-service.ts';
import { Egress } from '../services/crm/egress.ts';
import { demoTools } from '../tools/catalog.ts';
import { DEFAULT_ZONE } from '../tools/define-tool.ts';
import { InMemoryCallWindowStore } from './guard/call-window-store.ts';
import { createGuardActivities, createToolActivities, type GuardDependencies } from './guard/index.ts';
import { smokeActivities } from './smoke.ts';

/** What activities need from the process that hosts them (policy engine, services, model providers). */
export interface ActivityDependencies extends GuardDependencies {
  config: WardenConfig;
  close(): Promise<void>;
}

export async function createActivityDependencies(config: WardenConfig): Promise<ActivityDependencies> {
  const approvalSecret = await resolveApprovalSecret(config);
  const authorizer = await createAuthorizer(config);
  return {
    config,
    authorizer,
    tools: demoTools,
    services: { crm: new CrmService(), egress: new Egress() },
    approvalSecret,
    callWindows: new InMemoryCallWindowStore(),
    mode: config.WARDEN_MODE,
    close: async () => {
      await authorizer.close();
    },
  };
}

/** All activities a general Warden worker registers. */
export function createActivities(deps: ActivityDependencies) {
  return { ...smokeActivities, ...createGuardActivities(deps), ...createToolActivities(deps, DEFAULT_ZONE) };
}

export type WardenActivities = ReturnType<typeof createActivities>;
