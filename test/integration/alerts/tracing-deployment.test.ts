import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWardenWorkers } from '../../../src/workers/warden-workers.ts';
import { exampleProject } from '../../support/example.ts';
import { startOtlpCollector } from '../../support/otlp-collector.ts';
import { testClient, testConfig, testServer, uniqueTaskQueue } from '../../support/temporal.ts';
import { startScenario } from '../agents/support/agent-workers.ts';

let collector: Awaited<ReturnType<typeof startOtlpCollector>>;

beforeAll(async () => {
  collector = await startOtlpCollector();
  // Per process, as a deployment sets it: where spans go, never what the workflow code is.
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = collector.endpoint;
});
afterAll(async () => {
  delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  await collector.close();
});

async function deployment(traceWorkflows: boolean | undefined) {
  const example = await exampleProject();
  const project =
    traceWorkflows === undefined ? example : { ...example, tracing: { workflows: traceWorkflows } };
  const lines: string[] = [];
  const workers = await startWardenWorkers({
    config: testConfig({ WARDEN_TASK_QUEUE: uniqueTaskQueue('tracing-deployment') }),
    endpoint: testServer(),
    project,
    log: (line) => lines.push(line),
  });
  return { workers, lines };
}

describe("a deployment's workers bundle workflow tracing as the project says, whatever the endpoint", () => {
  it('the example (no choice) with an endpoint: one line at start says runs have no workflow spans', async () => {
    const { workers, lines } = await deployment(undefined);
    await workers.shutdown();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^tracing: .*runs have no workflow spans.*tracing: \{ workflows: true \}/);
  });

  it('a project with tracing.workflows: no line, and its runs export workflow spans', async () => {
    const { workers, lines } = await deployment(true);
    const client = await testClient();
    try {
      expect(lines).toEqual([]);
      const handle = await startScenario(
        client,
        workers.taskQueue,
        'benign-ticket',
        'Please handle ticket t-504.',
      );
      expect((await handle.result()).status).toBe('completed');
    } finally {
      await client.connection.close();
      await workers.shutdown();
    }
    const spans = collector.spans();
    const run = spans.find((s) => s.name === 'RunWorkflow:agentRunWorkflow');
    expect(run).toBeDefined();
    expect(spans.some((s) => s.traceId === run?.traceId && s.name === 'RunActivity:guardedToolCall')).toBe(
      true,
    );
  });
});
