import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startTracing,
  type Tracing,
  type TracingConfig,
  tracesWorkflows,
} from '../../../src/telemetry/tracing.ts';
import { attr, startOtlpCollector } from '../../support/otlp-collector.ts';
import { startScenario, useAgentWorkers } from '../agents/support/agent-workers.ts';

let collector: Awaited<ReturnType<typeof startOtlpCollector>>;
let tracing: Tracing | undefined;
// A project with `tracing: { workflows: true }`: its bundle carries the workflow interceptors.
let project: TracingConfig;

beforeAll(async () => {
  collector = await startOtlpCollector();
  project = { endpoint: collector.endpoint, serviceName: 'warden-test', workflows: true };
  tracing = startTracing(project, {});
});
afterAll(async () => {
  await tracing?.shutdown();
  await collector.close();
});

describe('OpenTelemetry traces of a run, exported by OTLP/HTTP to a local collector', () => {
  const fixture = useAgentWorkers('tracing', {
    get traceWorkflows() {
      return tracesWorkflows(project);
    },
    get tracing() {
      return tracing;
    },
  });

  it('a benign run exports its workflow, model and guarded-call spans with decision attributes and no argument values', async () => {
    const handle = await startScenario(
      fixture.client,
      fixture.taskQueue,
      'benign-ticket',
      'Please handle ticket t-504 for me.',
    );
    expect((await handle.result()).status).toBe('completed');
    await tracing?.shutdown();

    const all = collector.spans();
    const run = all.find((s) => s.name === 'RunWorkflow:agentRunWorkflow');
    expect(run).toBeDefined();
    const inRun = all.filter((s) => s.traceId === run?.traceId);
    expect(inRun.filter((s) => s.name === 'RunActivity:invokeModel').length).toBeGreaterThanOrEqual(4);
    const calls = inRun.filter((s) => s.name === 'RunActivity:guardedToolCall');
    expect(calls.map((s) => attr(s, 'warden.tool')).sort()).toEqual([
      'crm.get_customer',
      'crm.update_ticket',
      'ticket.get',
      'ticket.reply',
    ]);
    for (const call of calls) {
      expect(attr(call, 'warden.guard.outcome')).toBe('executed');
      expect(attr(call, 'warden.decision.allowed')).toBe(true);
      expect(attr(call, 'warden.policy.version')).toEqual(expect.any(String));
      expect(attr(call, 'warden.agent')).toBe('support-bot');
      expect(attr(call, 'temporalWorkflowId')).toBe(handle.workflowId);
      // Each tool span hangs under the workflow's StartActivity span of the same trace.
      expect(
        inRun.some((s) => s.spanId === call.parentSpanId && s.name === 'StartActivity:guardedToolCall'),
      ).toBe(true);
    }
    // Arguments and outputs stay out of the traces: ticket and customer ids, the reply's text.
    const exported = collector.bodies.join('\n');
    for (const value of ['t-504', 'c-1002', 'password reset link', 'eli@', 'Sent a new password']) {
      expect(exported).not.toContain(value);
    }
  }, 60_000);
});
