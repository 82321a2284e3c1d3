import { describe, expect, it } from 'vitest';
import {
  callReservationId,
  InMemoryCallWindowStore,
} from '../../../src/activities/guard/call-window-store.ts';

describe('the per-window call store', () => {
  const key = 'Agent:support-bot|User:alice|crm.issue_refund';
  const call = (callId: string) => callReservationId('wf', 'run', callId);

  it('counts a call reserved twice (a repeated decision) once', () => {
    const store = new InMemoryCallWindowStore();
    store.reserve(key, call('a'), 1_000);
    store.reserve(key, call('a'), 2_000);
    store.reserve(key, call('b'), 2_000);
    expect(store.count(key, 60_000, 3_000)).toBe(2);
  });

  it('gives back a released reservation and ignores unknown ones', () => {
    const store = new InMemoryCallWindowStore();
    store.reserve(key, call('a'), 1_000);
    store.reserve(key, call('b'), 1_000);
    store.release(call('a'));
    store.release(call('never-reserved'));
    expect(store.count(key, 60_000, 2_000)).toBe(1);
    store.release(call('b'));
    expect(store.count(key, 60_000, 2_000)).toBe(0);
  });

  it('tells apart the same call id in other runs', () => {
    expect(callReservationId('wf', 'run-1', 'a')).not.toBe(callReservationId('wf', 'run-2', 'a'));
  });
});
