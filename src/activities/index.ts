import type { AgentCatalog } from '../agents/define-agent.ts';
import { resolveApprovalSecret } from '../approvals/approval-secret.ts';
import { resolvePublicKeyRing } from '../approvals/signing-keys.ts';
import { createAuthorizer } from '../authz/create-authorizer.ts';
import type { WardenConfig } from '../config/env.ts';
import { createModelFactory, type ModelFactory } from '../models/model-factory.ts';
import { ProvenanceIndex } from '../provenance/provenance-index.ts';
import { DEFAULT_ZONE, type ToolRegistry, toolZones } from '../tools/define-tool.ts';
import type { ToolServices } from '../tools/tool-services.ts';
import { SqliteUsageStore } from '../usage/sqlite-usage-store.ts';
import { ZoneKeyring } from '../zones/zone-keyring.ts';
import { createAgentActivities } from './agent/authorize-handoff.ts';
import { createGuardActivities, createToolActivities, type GuardDependencies } from './guard/index.ts';
import { createModelActivities } from './model/invoke-model.ts';
import { smokeActivities } from './smoke.ts';

/** What activities need from the process that hosts them (policy engine, services, model providers). */
export interface ActivityDependencies extends GuardDependencies {
  config: WardenConfig;
  /** Which model answers agent turns (WARDEN_MODEL). */
  models: ModelFactory;
  close(): Promise<void>;
}

/** The project's side of a worker: its tools, the services of the zone, where its scenarios are. */
export interface ProjectDependencies {
  tools: ToolRegistry;
  /** The project's agents: the guard enforces their rules, whatever workflow code passes. */
  agents: AgentCatalog;
  services: ToolServices;
  scenarioDir: string;
  /** Which model answers agent turns; default the one WARDEN_MODEL names. */
  models?: ModelFactory;
}

export async function createActivityDependencies(
  config: WardenConfig,
  project: ProjectDependencies,
): Promise<ActivityDependencies> {
  const approvalSecret = await resolveApprovalSecret(config);
  const approvalKeys = await resolvePublicKeyRing(config);
  const authorizer = await createAuthorizer(config);
  const usage = SqliteUsageStore.inDataDir(config.WARDEN_DATA_DIR);
  const provenance = ProvenanceIndex.inDataDir(config.WARDEN_DATA_DIR, approvalSecret);
  return {
    config,
    authorizer,
    models: project.models ?? createModelFactory(config, { scenarioDir: project.scenarioDir }),
    tools: project.tools,
    agents: project.agents,
    services: project.services,
    approvalSecret,
    approvalKeys,
    usage,
    provenance,
    zoneKeys: ZoneKeyring.fromConfig(config),
    mode: config.WARDEN_MODE,
    close: async () => {
      usage.close();
      provenance.close();
      await authorizer.close();
    },
  };
}

/** All activities a general Warden worker registers. */
export function createActivities(deps: ActivityDependencies) {
  return {
    ...smokeActivities,
    ...createGuardActivities(deps, [DEFAULT_ZONE, ...toolZones(deps.tools)]),
    ...createToolActivities(deps, DEFAULT_ZONE),
    ...createModelActivities(deps.models),
    ...createAgentActivities(deps.authorizer),
  };
}

export type WardenActivities = ReturnType<typeof createActivities>;
