import type { AgentCatalog } from '../agents/define-agent.ts';
import { AlertMonitor } from '../alerts/alert-monitor.ts';
import type { ResolvedAlertsConfig } from '../alerts/alerts-config.ts';
import { resolveApprovalSecret } from '../approvals/approval-secret.ts';
import { resolvePublicKeyRing } from '../approvals/signing-keys.ts';
import { createAuthorizer } from '../authz/create-authorizer.ts';
import type { WardenConfig } from '../config/env.ts';
import { createJudge } from '../judge/create-judge.ts';
import type { JudgeConfig } from '../judge/judge-config.ts';
import { createModelFactory, type ModelFactory } from '../models/model-factory.ts';
import { ProvenanceIndex } from '../provenance/provenance-index.ts';
import type { Tracing } from '../telemetry/tracing.ts';
import { DEFAULT_ZONE, type ToolRegistry, toolZones } from '../tools/define-tool.ts';
import type { ToolServices } from '../tools/tool-services.ts';
import { SqliteUsageStore } from '../usage/sqlite-usage-store.ts';
import { ZoneKeyring } from '../zones/zone-keyring.ts';
import { createAgentActivities } from './agent/authorize-handoff.ts';
import { createGuardActivities, createToolActivities, type GuardDependencies } from './guard/index.ts';
import { observers } from './guard/observer.ts';
import { createModelActivities } from './model/invoke-model.ts';
import { smokeActivities } from './smoke.ts';

/** What activities need from the process that hosts them (policy engine, services, model providers). */
export interface ActivityDependencies extends GuardDependencies {
  config: WardenConfig;
  /** Which model answers agent turns (WARDEN_MODEL). */
  models: ModelFactory;
  /** The alert rules this process runs on its tool workers' decisions, when the project has alerts. */
  alerts?: AlertMonitor;
  close(): Promise<void>;
}

/** The project's side of a worker: its tools, the services of the zone, where its scenarios are. */
export interface ProjectDependencies {
  tools: ToolRegistry;
  /** The project's agents: the guard enforces their rules, whatever workflow code passes. */
  agents: AgentCatalog;
  services: ToolServices;
  scenarioDir: string;
  /** The project's judge block; without one no call is judged. */
  judge?: JudgeConfig;
  /** The project's alert rules and sinks; no alerting without them. */
  alerts?: ResolvedAlertsConfig;
  /** The process's tracing, when configured: guarded calls' spans get their decision attributes. */
  tracing?: Tracing;
  /** Which model answers agent turns; default the one WARDEN_MODEL names. */
  models?: ModelFactory;
}

export async function createActivityDependencies(
  config: WardenConfig,
  project: ProjectDependencies,
): Promise<ActivityDependencies> {
  // First: a judge block that names a model without credentials fails before anything opens.
  const judge = createJudge(config, project.judge);
  const approvalSecret = await resolveApprovalSecret(config);
  const approvalKeys = await resolvePublicKeyRing(config);
  const authorizer = await createAuthorizer(config);
  const usage = SqliteUsageStore.inDataDir(config.WARDEN_DATA_DIR);
  const provenance = ProvenanceIndex.inDataDir(config.WARDEN_DATA_DIR, approvalSecret);
  const alerts = project.alerts
    ? AlertMonitor.inDataDir(config.WARDEN_DATA_DIR, project.alerts).start()
    : undefined;
  const observer = observers(alerts, project.tracing?.observer);
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
    ...(judge ? { judge } : {}),
    ...(observer ? { observer } : {}),
    ...(alerts ? { alerts } : {}),
    close: async () => {
      await alerts?.close();
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
