import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { describe, expect, it } from 'vitest';
import { recordedWorkflowTracing } from '../../../src/telemetry/history-tracing.ts';
import { startTracing, tracesWorkflows, untracedWorkflowsNotice } from '../../../src/telemetry/tracing.ts';

const recorded = (file: string) =>
  historyFromJSON(
    JSON.parse(readFileSync(fileURLToPath(new URL(`../../histories/${file}`, import.meta.url)), 'utf8')),
  );

describe("how a history's workflow code was bundled", () => {
  it('reads the interceptors off the SDK flags their code recorded, and their absence off a completed task', () => {
    expect(recordedWorkflowTracing(recorded('encrypted/guard-patches-refund-over-limit.json'))).toEqual({
      traceWorkflows: true,
      evidence: 'sdk-flag',
    });
    for (const file of ['refund-over-limit.json', 'encrypted/untraced-refund-over-limit.json'])
      expect(recordedWorkflowTracing(recorded(file))).toEqual({
        traceWorkflows: false,
        evidence: 'none-recorded',
      });
  });

  it('reads a trace header the code put on an activity; a client-set header on the start does not count', () => {
    const history = recorded('encrypted/untraced-benign-ticket.json');
    const events = history.events ?? [];
    const started = events[0]?.workflowExecutionStartedEventAttributes;
    if (!started) throw new Error('no start event');
    started.header = { fields: { '_tracer-data': { data: new Uint8Array([123, 125]) } } };
    expect(recordedWorkflowTracing(history)?.traceWorkflows).toBe(false);
    const scheduled = events.find((e) => e.activityTaskScheduledEventAttributes);
    if (!scheduled?.activityTaskScheduledEventAttributes) throw new Error('no activity');
    scheduled.activityTaskScheduledEventAttributes.header = {
      fields: { '_tracer-data': { data: new Uint8Array([123, 125]) } },
    };
    expect(recordedWorkflowTracing(history)).toEqual({ traceWorkflows: true, evidence: 'trace-header' });
  });

  it('shows neither way without a completed workflow task: the project decides', () => {
    const history = recorded('encrypted/untraced-benign-ticket.json');
    history.events = (history.events ?? []).slice(0, 2);
    expect(recordedWorkflowTracing(history)).toBeUndefined();
    expect(recordedWorkflowTracing({})).toBeUndefined();
  });
});

describe("the project's tracing.workflows", () => {
  it('is off unless the project says true, and anything but a boolean is refused', () => {
    expect(tracesWorkflows(undefined)).toBe(false);
    expect(tracesWorkflows({ endpoint: 'http://collector:4318' })).toBe(false);
    expect(tracesWorkflows({ workflows: true })).toBe(true);
    // A config written in JavaScript (or cast) can hold anything: "yes" is not true, and not silently false.
    expect(() => tracesWorkflows({ workflows: 'yes' as unknown as boolean })).toThrow(
      /must be true or false/,
    );
  });

  it('says once that runs have no workflow spans when spans are exported but workflows are not traced', async () => {
    expect(untracedWorkflowsNotice(undefined, undefined)).toBeUndefined();
    const tracing = startTracing(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' });
    try {
      expect(untracedWorkflowsNotice(tracing, undefined)).toMatch(/^tracing: .*no workflow spans/);
      expect(untracedWorkflowsNotice(tracing, { workflows: true })).toBeUndefined();
    } finally {
      await tracing?.shutdown();
    }
  });
});
