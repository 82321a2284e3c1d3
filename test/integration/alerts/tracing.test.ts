import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTracing, type Tracing } from '../../../src/telemetry/tracing.ts';
import { startScenario, useAgentWorkers } from '../agents/support/agent-workers.ts';

interface OtlpValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number | string;
  arrayValue?: { values: OtlpValue[] };
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: Array<{ key: string; value: OtlpValue }>;
}

/** A local OTLP/HTTP collector: keeps every body posted to /v1/traces. */
const bodies: string[] = [];
let collector: Server;
let tracing: Tracing | undefined;

beforeAll(async () => {
  collector = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/v1/traces') bodies.push(Buffer.concat(chunks).toString('utf8'));
      res.setHeader('content-type', 'application/json');
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  const { port } = collector.address() as AddressInfo;
  tracing = startTracing({ endpoint: `http://127.0.0.1:${port}`, serviceName: 'warden-test' }, {});
});
afterAll(async () => {
  await tracing?.shutdown();
  await new Promise((resolve) => collector.close(resolve));
});

function spans(): OtlpSpan[] {
  return bodies.flatMap((body) =>
    (
      JSON.parse(body) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }> }
    ).resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)),
  );
}

const attr = (span: OtlpSpan | undefined, key: string) => {
  const v = span?.attributes.find((a) => a.key === key)?.value;
  return v?.stringValue ?? v?.boolValue ?? (v?.intValue !== undefined ? Number(v.intValue) : undefined);
};

describe('OpenTelemetry traces of a run, exported by OTLP/HTTP to a local collector', () => {
  const fixture = useAgentWorkers('tracing', {
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

    const all = spans();
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
    const exported = bodies.join('\n');
    for (const value of ['t-504', 'c-1002', 'password reset link', 'eli@', 'Sent a new password']) {
      expect(exported).not.toContain(value);
    }
  }, 60_000);
});
