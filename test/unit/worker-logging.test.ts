import { ApplicationFailure } from '@temporalio/common';
import type { LogEntry } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { describeDecision } from '../../src/workers/runtime-logging.ts';

function activityFailed(error: unknown): LogEntry {
  return {
    message: 'Activity failed',
    level: 'WARN',
    timestampNanos: 0n,
    meta: { activityType: 'executeGuardedTool', workflowId: 'run-1', error },
  };
}

describe('worker log lines for guard refusals', () => {
  it('turns a refusal into one line naming the activity, run and reason', () => {
    const refusal = ApplicationFailure.create({
      type: 'GuardRefusal',
      message: 'refused (no_grant): no decision',
    });
    expect(describeDecision(activityFailed(refusal))).toBe(
      'executeGuardedTool refused in run-1: refused (no_grant): no decision',
    );
  });

  it('leaves real faults to the full log entry', () => {
    expect(describeDecision(activityFailed(new Error('socket hang up')))).toBeUndefined();
    const other = ApplicationFailure.create({ type: 'CrmError', message: 'database down' });
    expect(describeDecision(activityFailed(other))).toBeUndefined();
  });
});
