import type { AgentCatalog } from '../agents/define-agent.ts';
import type { AlertsConfig } from '../alerts/alerts-config.ts';
import type { WardenConfig } from '../config/env.ts';
import type { JudgeConfig } from '../judge/judge-config.ts';
import type { TracingConfig } from '../telemetry/tracing.ts';
import type { ToolDefinition } from '../tools/define-tool.ts';
import type { ToolServices } from '../tools/tool-services.ts';
import type { WorkerSettings } from '../workers/workflow-cache.ts';

/** What a services factory is told about the worker it serves. */
export interface ServicesContext {
  /** The trust zone of the worker: `default`, or the zone of its tools. */
  zone: string;
  config: WardenConfig;
}

export type ServicesFactory = (context: ServicesContext) => ToolServices | Promise<ToolServices>;

/** The demo `warden demo` tells: scripted scenarios run in order, approvals given as `approver`. */
export interface DemoConfig {
  title?: string;
  /** Scenario names (files in the scenario directory), in the order they run. */
  scenarios: string[];
  /** The user whose token the demo mints to approve paused calls. */
  approver: string;
  /** Other users the demo mints tokens for (shown with `--interactive`). */
  alsoApprovers?: string[];
}

/**
 * A Warden project, as its `warden.config.ts` describes it. Paths are relative to the config file.
 * The CLI (`warden run`, `dev`, `worker`, `demo`, `inventory`, `audit`, `what-if`, `export`) reads it.
 */
export interface WardenProjectConfig {
  /** The agents runs can name. */
  agents: AgentCatalog;
  /** Tools the workers run besides the agents' own, e.g. the tools of a tool-plan workflow. */
  tools?: readonly ToolDefinition[];
  /** The module whose exports are the workflows the workers serve (bundled for the sandbox). */
  workflows: string;
  /** Creates the services (and so the credentials) tools use; called once per worker and zone. */
  services?: ServicesFactory;
  /** Polar policy and facts. Default `./policies`; WARDEN_POLICY_DIR overrides. */
  policyDir?: string;
  /** Scripted model scenarios (`<name>.yaml`). Default `./scenarios`. */
  scenarioDir?: string;
  /** Main task queue. Default `warden`; WARDEN_TASK_QUEUE overrides. */
  taskQueue?: string;
  /** Worker settings, e.g. `{ maxCachedWorkflows: 250 }`; the environment overrides each. */
  worker?: WorkerSettings;
  demo?: DemoConfig;
  /**
   * The intent judge: a second model (or the scripted judge) the tool worker asks about the calls of
   * agents and tools that set `judge: true`. Without this block no call is judged, and a call that
   * asks for a judge escalates.
   */
  judge?: JudgeConfig;
  /** Alert rules, thresholds and sinks; alerting is off without this section. */
  alerts?: AlertsConfig;
  /**
   * OpenTelemetry traces (OTLP/HTTP): `endpoint` (or OTEL_EXPORTER_OTLP_ENDPOINT, per process) traces
   * activities and model calls; `workflows: true` puts Temporal's workflow tracing interceptors in the
   * workflow code, for run spans. That one is deployment-wide workflow code: see {@link TracingConfig}.
   */
  tracing?: TracingConfig;
}

/** Identity function that types a project's `warden.config.ts`. */
export function defineConfig(config: WardenProjectConfig): WardenProjectConfig {
  return config;
}
