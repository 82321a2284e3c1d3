import { condition, defineQuery, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';
import type { SmokeActivities } from '../activities/smoke.ts';

/** A minimal round trip through every Temporal feature Warden relies on: activity, Update, query, timer. */
export const confirmSmokeUpdate = defineUpdate<string, [string]>('confirm');
export const smokeStateQuery = defineQuery<{ greeting?: string; confirmedBy?: string }>('state');

const { greet } = proxyActivities<SmokeActivities>({ startToCloseTimeout: '10 seconds' });

export async function smokeWorkflow(name: string): Promise<string> {
  let greeting: string | undefined;
  let confirmedBy: string | undefined;
  // Handlers are registered before the first await so an early Update is never dropped.
  setHandler(smokeStateQuery, () => ({ greeting, confirmedBy }));
  setHandler(
    confirmSmokeUpdate,
    async (who) => {
      await condition(() => greeting !== undefined);
      confirmedBy = who;
      return greeting ?? '';
    },
    {
      validator: (who) => {
        if (who.trim() === '') throw new Error('confirmation needs a name');
        if (confirmedBy !== undefined) throw new Error('already confirmed');
      },
    },
  );
  greeting = await greet(name);
  const confirmed = await condition(() => confirmedBy !== undefined, '5 minutes');
  return confirmed ? `${greeting} (confirmed by ${confirmedBy})` : `${greeting} (not confirmed)`;
}
