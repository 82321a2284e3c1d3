import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';

interface FloorActivities {
  noop(): Promise<number>;
}

const regular = proxyActivities<FloorActivities>({ startToCloseTimeout: '30 seconds' });
const local = proxyLocalActivities<FloorActivities>({ startToCloseTimeout: '30 seconds' });

/** Nothing but a workflow task: what starting and completing a workflow costs. */
export async function emptyWorkflow(): Promise<number> {
  return 0;
}

/** `calls` regular activities (each a task through matching, or eager on the same worker). */
export async function activitiesWorkflow(input: { calls: number; parallel: boolean }): Promise<number> {
  if (input.parallel) await Promise.all(Array.from({ length: input.calls }, () => regular.noop()));
  else for (let i = 0; i < input.calls; i++) await regular.noop();
  return input.calls;
}

/** `calls` local activities: run by the worker inside the workflow task, recorded as markers. */
export async function localActivitiesWorkflow(input: { calls: number; parallel: boolean }): Promise<number> {
  if (input.parallel) await Promise.all(Array.from({ length: input.calls }, () => local.noop()));
  else for (let i = 0; i < input.calls; i++) await local.noop();
  return input.calls;
}
