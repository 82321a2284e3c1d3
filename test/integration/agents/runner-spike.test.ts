import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { expect, it } from 'vitest';
import { createModelActivities } from '../../../activities/model/invoke-model.ts';
import { createModelFactory } from '../../../models/model-factory.ts';
import { workflowBundlerOptions } from '../../../workers/workflow-bundle.ts';
import { testClient, testConfig, testServer, uniqueTaskQueue } from '../../support/temporal.ts';

it('runs the agents-core Runner inside a workflow: model calls as activities, a plain tool', async () => {
  const taskQueue = uniqueTaskQueue('spike');
  const bundle = await bundleWorkflowCode({
    workflowsPath: fileURLToPath(new URL('./fixtures/runner-spike-workflow.ts', import.meta.url)),
    ...workflowBundlerOptions,
  });
  const connection = await NativeConnection.connect({ address: testServer().address });
  const worker = await Worker.create({
    connection,
    namespace: testServer().namespace,
    taskQueue,
    workflowBundle: bundle,
    activities: createModelActivities(
      createModelFactory(testConfig(), {
        scenarioDir: fileURLToPath(new URL('./fixtures/scenarios', import.meta.url)),
      }),
    ),
  });
  const client = await testClient();
  const result = await worker.runUntil(
    client.workflow.execute('runnerSpikeWorkflow', {
      taskQueue,
      workflowId: `spike-${Date.now()}`,
      args: ['spike-echo'],
    }),
  );
  expect(result).toEqual({ output: 'done', turns: 2 });
  await client.connection.close();
  await connection.close();
});
