import { proxyActivities } from '@temporalio/workflow';
import type { BenchBaselineActivities } from './baseline-activities.ts';

const { readTicketUnguarded } = proxyActivities<BenchBaselineActivities>({
  startToCloseTimeout: '30 seconds',
});

/** The baseline: the same tool work as a guarded plan, each call one bare activity, no guard. */
export async function bareCallsWorkflow(input: { ticketIds: string[]; parallel: boolean }): Promise<number> {
  if (input.parallel) {
    await Promise.all(input.ticketIds.map((id) => readTicketUnguarded(id)));
  } else {
    for (const id of input.ticketIds) await readTicketUnguarded(id);
  }
  return input.ticketIds.length;
}
