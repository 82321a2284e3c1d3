import type { WardenConfig } from '../config/env.ts';
import { smokeActivities } from './smoke.ts';

/** What activities need from the process that hosts them (policy engine, services, model providers). */
export interface ActivityDependencies {
  config: WardenConfig;
  close(): Promise<void>;
}

export async function createActivityDependencies(config: WardenConfig): Promise<ActivityDependencies> {
  return { config, close: async () => {} };
}

/** All activities a general Warden worker registers. */
export function createActivities(_deps: ActivityDependencies) {
  return { ...smokeActivities };
}

export type WardenActivities = ReturnType<typeof createActivities>;
