import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { heartbeating } from '../../../src/activities/guard/heartbeat.ts';
import { defineTool } from '../../../src/tools/define-tool.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('tool activities heartbeat while the tool runs', () => {
  it('heartbeats at a third of the heartbeat timeout for as long as the tool runs, then stops', async () => {
    const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 600 });
    let beats = 0;
    env.on('heartbeat', () => {
      beats += 1;
    });
    const slowTool = heartbeating(async (ms: number) => {
      await sleep(ms);
      return 'done';
    });
    expect(await env.run(slowTool, 1_100)).toBe('done');
    // One every 200 ms from the start: about five in 1.1 s (a slow machine may drop one).
    expect(beats).toBeGreaterThanOrEqual(3);
    expect(beats).toBeLessThanOrEqual(6);
    const after = beats;
    await sleep(500);
    expect(beats).toBe(after);
  });

  it('a call that ends before a third of the heartbeat timeout sends no heartbeat at all', async () => {
    const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 3_000 });
    let beats = 0;
    env.on('heartbeat', () => {
      beats += 1;
    });
    expect(await env.run(heartbeating(async () => 'quick'))).toBe('quick');
    expect(beats).toBe(0);
  });

  it('an activity scheduled without a heartbeat timeout (runs recorded before it) does not heartbeat', async () => {
    const env = new MockActivityEnvironment({ heartbeatTimeoutMs: undefined });
    let beats = 0;
    env.on('heartbeat', () => {
      beats += 1;
    });
    await env.run(heartbeating(async () => sleep(300)));
    expect(beats).toBe(0);
  });

  it('a tool may set its own heartbeat timeout, between 1 second and the 2-minute start-to-close', () => {
    const tool = (heartbeatTimeout: string) =>
      defineTool({
        name: 'test.slow',
        description: 'slow',
        parameters: z.strictObject({}),
        risk: 'low',
        heartbeatTimeout: heartbeatTimeout as '1 minute',
        execute: async () => null,
      });
    expect(tool('45 seconds').heartbeatTimeout).toBe('45 seconds');
    expect(() => tool('500 ms')).toThrow(/heartbeatTimeout must be between 1 second and 2 minutes/);
    expect(() => tool('5 minutes')).toThrow(/heartbeatTimeout must be between 1 second and 2 minutes/);
  });
});
