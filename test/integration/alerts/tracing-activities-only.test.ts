import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startTracing,
  type Tracing,
  type TracingConfig,
  tracesWorkflows,
  untracedWorkflowsNotice,
} from '../../../src/telemetry/tracing.ts';
import { attr, startOtlpCollector } from '../../support/otlp-collector.ts';
import { startScenario, useAgentWorkers } from '../agents/support/agent-workers.ts';

let collector: Awaited<ReturnType<typeof startOtlpCollector>>;
let tracing: Tracing | undefined;
// An endpoint (as OTEL_EXPORTER_OTLP_ENDPOINT gives one) and a project that does not trace workflows.
let project: TracingConfig;

beforeAll(async () => {
  collector = await startOtlpCollector();
  project = { serviceName: 'warden-test' };
  tracing = startTracing(project, { OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint });
});
afterAll(async () => {
  await tracing?.shutdown();
  await collector.close();
});

describe('an endpoint without workflow tracing: activities and model calls traced, workflow code unchanged', () => {
  const fixture = useAgentWorkers('tracing-activities', {
    get traceWorkflows() {
      return tracesWorkflows(project);
    },
    get tracing() {
      return tracing;
    },
  });

  it('exports model and guarded-call spans, each its own trace, and no workflow span; the worker says so', async () => {
    expect(untracedWorkflowsNotice(tracing, project)).toMatch(/runs have no workflow spans.*workflows: true/);
    const handle = await startScenario(
      fixture.client,
      fixture.taskQueue,
      'benign-ticket',
      'Please handle ticket t-504 for me.',
    );
    expect((await handle.result()).status).toBe('completed');
    await tracing?.shutdown();

    const all = collector.spans();
    expect(all.filter((s) => /^(RunWorkflow|StartActivity|StartTimer|HandleUpdate)/.test(s.name))).toEqual(
      [],
    );
    expect(all.filter((s) => s.name === 'RunActivity:invokeModel').length).toBeGreaterThanOrEqual(4);
    const calls = all.filter((s) => s.name === 'RunActivity:guardedToolCall');
    expect(calls.map((s) => attr(s, 'warden.tool')).sort()).toEqual([
      'crm.get_customer',
      'crm.update_ticket',
      'ticket.get',
      'ticket.reply',
    ]);
    for (const call of calls) {
      expect(attr(call, 'warden.guard.outcome')).toBe('executed');
      expect(attr(call, 'temporalWorkflowId')).toBe(handle.workflowId);
      // No workflow interceptor put a trace context in the activity's headers: a root span.
      expect(call.parentSpanId ?? '').toBe('');
    }
  }, 60_000);
});
