import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AgentCatalog } from '../agents/define-agent.ts';
import {
  AlertsConfigError,
  type ResolvedAlertsConfig,
  resolveAlertsConfig,
} from '../alerts/alerts-config.ts';
import { checkJudgeConfig, type JudgeConfig, JudgeConfigError } from '../judge/judge-config.ts';
import type { TracingConfig } from '../telemetry/tracing.ts';
import { type ToolDefinition, type ToolRegistry, toolRegistry } from '../tools/define-tool.ts';
import { cacheSizeProblem, type WorkerSettings } from '../workers/workflow-cache.ts';
import { type WorkflowHeapSetting, workflowHeapProblem } from '../workers/workflow-heap.ts';
import { workflowThreadsProblem } from '../workers/workflow-threads.ts';
import type { DemoConfig, ServicesFactory, WardenProjectConfig } from './define-config.ts';

/** The names `warden` looks for, in each directory from the working directory up to the root. */
export const CONFIG_FILE_NAMES = [
  'warden.config.ts',
  'warden.config.mts',
  'warden.config.js',
  'warden.config.mjs',
  'warden.config.json',
];

export class ProjectConfigError extends Error {
  override name = 'ProjectConfigError';
}

/** A project's configuration with its paths made absolute and its tools gathered in one registry. */
export interface WardenProject {
  configFile: string;
  root: string;
  agents: AgentCatalog;
  /** Every tool of every agent, and the project's extra tools: what its workers may run. */
  tools: ToolRegistry;
  workflowsPath: string;
  services: ServicesFactory;
  policyDir: string;
  scenarioDir: string;
  taskQueue?: string;
  worker?: WorkerSettings;
  demo?: DemoConfig;
  /** The project's judge block, checked when the project loads; the workers create the judge. */
  judge?: JudgeConfig;
  /** The alert rules with their defaults, file sinks' paths made absolute; absent: no alerting. */
  alerts?: ResolvedAlertsConfig;
  tracing?: TracingConfig;
}

/** The config file named by `--config`/WARDEN_CONFIG (a file or a directory), or found from `cwd` up. */
export function findConfigFile(explicit: string | undefined, cwd = process.cwd()): string {
  if (explicit !== undefined) {
    const target = path.resolve(cwd, explicit);
    if (!existsSync(target)) throw new ProjectConfigError(`no Warden config at ${target}`);
    const inDir = CONFIG_FILE_NAMES.map((name) => path.join(target, name)).find((f) => existsSync(f));
    return inDir ?? target;
  }
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    for (const name of CONFIG_FILE_NAMES) {
      const file = path.join(dir, name);
      if (existsSync(file)) return file;
    }
    if (path.dirname(dir) === dir) break;
  }
  throw new ProjectConfigError(
    `no warden.config.ts found from ${cwd} up; create one (see "Use Warden in your project" in the README) or pass --config`,
  );
}

async function importModule(file: string): Promise<Record<string, unknown>> {
  try {
    return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    const reason = error instanceof Error ? (error.message.split('\n')[0] ?? error.name) : String(error);
    throw new ProjectConfigError(`cannot load ${file}: ${reason}`);
  }
}

/** A JSON config names modules instead of values: `"agents": "./agents.ts"` (export `agents` or default). */
async function moduleValue<T>(value: T | string, root: string, exportName: string): Promise<T> {
  if (typeof value !== 'string') return value;
  const module = await importModule(path.resolve(root, value));
  const found = module[exportName] ?? module.default;
  if (found === undefined) throw new ProjectConfigError(`${value} exports neither ${exportName} nor default`);
  return found as T;
}

function isCatalog(value: unknown): value is AgentCatalog {
  return value instanceof Map && [...value.values()].every((a) => typeof a?.name === 'string');
}

type ConfigShape = Omit<WardenProjectConfig, 'agents' | 'services'> & {
  agents: AgentCatalog | string;
  services?: ServicesFactory | string;
};

/** Reads and checks a project's config; every problem is one `ProjectConfigError` naming the file. */
export async function loadProject(
  options: { config?: string | undefined; cwd?: string } = {},
): Promise<WardenProject> {
  const configFile = findConfigFile(options.config ?? (process.env.WARDEN_CONFIG || undefined), options.cwd);
  const root = path.dirname(configFile);
  let raw: unknown;
  if (configFile.endsWith('.json')) {
    try {
      raw = JSON.parse(readFileSync(configFile, 'utf8'));
    } catch (error) {
      throw new ProjectConfigError(
        `${configFile}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  } else {
    const module = await importModule(configFile);
    raw = module.default ?? module.config;
  }
  if (typeof raw !== 'object' || raw === null)
    throw new ProjectConfigError(`${configFile} must export default defineConfig({ … })`);
  const config = raw as ConfigShape;
  const fail = (what: string) => new ProjectConfigError(`${configFile}: ${what}`);
  if (config.agents === undefined) throw fail('agents is missing (an agentCatalog([...]))');
  const agents = await moduleValue(config.agents, root, 'agents');
  if (!isCatalog(agents)) throw fail('agents must be an agentCatalog([...])');
  if (typeof config.workflows !== 'string' || config.workflows === '')
    throw fail('workflows must name your workflows module, e.g. "./workflows.ts"');
  const workflowsPath = path.resolve(root, config.workflows);
  if (!existsSync(workflowsPath)) throw fail(`workflows module ${workflowsPath} does not exist`);
  const services =
    config.services === undefined ? () => ({}) : await moduleValue(config.services, root, 'services');
  if (typeof services !== 'function') throw fail('services must be a function returning the tool services');

  if (config.judge !== undefined) {
    try {
      checkJudgeConfig(config.judge);
    } catch (error) {
      if (error instanceof JudgeConfigError) throw fail(error.message);
      throw error;
    }
  }
  const worker = workerSettings(config.worker, fail);

  const tools = new Map<string, ToolDefinition>();
  for (const tool of [...[...agents.values()].flatMap((a) => a.tools), ...(config.tools ?? [])]) {
    const known = tools.get(tool.name);
    if (known !== undefined && known !== tool) throw fail(`two different tools are named ${tool.name}`);
    tools.set(tool.name, tool);
  }
  return {
    configFile,
    root,
    agents,
    tools: toolRegistry([...tools.values()]),
    workflowsPath,
    services: services as ServicesFactory,
    policyDir: path.resolve(root, config.policyDir ?? 'policies'),
    scenarioDir: path.resolve(root, config.scenarioDir ?? 'scenarios'),
    ...(config.taskQueue ? { taskQueue: config.taskQueue } : {}),
    ...(worker ? { worker } : {}),
    ...(config.demo ? { demo: config.demo } : {}),
    ...(config.judge ? { judge: config.judge } : {}),
    ...(config.alerts !== undefined ? { alerts: projectAlerts(config.alerts, root, fail) } : {}),
    ...(config.tracing !== undefined ? { tracing: config.tracing } : {}),
  };
}

function projectAlerts(
  alerts: NonNullable<WardenProjectConfig['alerts']>,
  root: string,
  fail: (what: string) => ProjectConfigError,
): ResolvedAlertsConfig {
  try {
    const resolved = resolveAlertsConfig(alerts);
    return {
      ...resolved,
      sinks: resolved.sinks.map((sink) =>
        sink.kind === 'jsonl' ? { ...sink, path: path.resolve(root, sink.path) } : sink,
      ),
    };
  } catch (error) {
    if (error instanceof AlertsConfigError) throw fail(error.message);
    throw error;
  }
}

/** The `worker` section, checked: a JSON config can hold anything there. */
function workerSettings(
  value: unknown,
  fail: (what: string) => ProjectConfigError,
): WorkerSettings | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw fail('worker must be an object, e.g. { maxCachedWorkflows: 250 }');
  const known = new Set(['maxCachedWorkflows', 'workflowHeap', 'workflowThreads']);
  const unknown = Object.keys(value).filter((key) => !known.has(key));
  if (unknown.length > 0) throw fail(`worker has no setting ${unknown.join(', ')}`);
  const { maxCachedWorkflows, workflowHeap, workflowThreads } = value as Record<string, unknown>;
  const settings: WorkerSettings = {};
  if (maxCachedWorkflows !== undefined) {
    const problem = cacheSizeProblem(maxCachedWorkflows);
    if (problem !== undefined) throw fail(`worker.maxCachedWorkflows ${problem}`);
    settings.maxCachedWorkflows = maxCachedWorkflows as number;
  }
  if (workflowHeap !== undefined) {
    const problem = workflowHeapProblem(workflowHeap);
    if (problem !== undefined) throw fail(`worker.workflowHeap ${problem}`);
    settings.workflowHeap = workflowHeap as WorkflowHeapSetting;
  }
  if (workflowThreads !== undefined) {
    const problem = workflowThreadsProblem(workflowThreads);
    if (problem !== undefined) throw fail(`worker.workflowThreads ${problem}`);
    settings.workflowThreads = workflowThreads as number;
  }
  return settings;
}
