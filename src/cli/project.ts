import { type ConfigDefaults, loadConfig, type WardenConfig } from '../config/env.ts';
import {
  findConfigFile,
  loadProject,
  ProjectConfigError,
  type WardenProject,
} from '../project/load-project.ts';
import { CliError } from './errors.ts';

let loaded: Promise<WardenProject | undefined> | undefined;

/**
 * The project of the working directory (or of `--config` / WARDEN_CONFIG), loaded once per process;
 * undefined when there is none, for the commands that work without one.
 */
export function currentProject(): Promise<WardenProject | undefined> {
  loaded ??= (async () => {
    const named = process.env.WARDEN_CONFIG || undefined;
    try {
      findConfigFile(named);
    } catch (error) {
      if (error instanceof ProjectConfigError && named === undefined) return undefined;
      throw asCliError(error);
    }
    return loadProject().catch((error: unknown) => {
      throw asCliError(error);
    });
  })();
  return loaded;
}

/** The project, for the commands that run or describe its agents. */
export async function requireProject(): Promise<WardenProject> {
  const project = await currentProject();
  if (project === undefined) {
    try {
      findConfigFile(undefined);
    } catch (error) {
      throw asCliError(error);
    }
  }
  return project as WardenProject;
}

export function projectDefaults(project: WardenProject | undefined): ConfigDefaults {
  return project
    ? { policyDir: project.policyDir, ...(project.taskQueue ? { taskQueue: project.taskQueue } : {}) }
    : {};
}

/** The environment's configuration, with the project's policy directory and task queue as defaults. */
export async function cliConfig(env: NodeJS.ProcessEnv = process.env): Promise<WardenConfig> {
  return loadConfig(env, projectDefaults(await currentProject()));
}

function asCliError(error: unknown): unknown {
  return error instanceof ProjectConfigError ? new CliError(error.message) : error;
}
