/**
 * The floor under every guarded call, on a real Temporal dev server: an empty workflow, regular
 * activities and local activities, sequential and parallel. BENCH_DYNAMIC_CONFIG (space-separated
 * `key=value`) starts the server with further dynamic config, to compare settings in one place.
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { loadConfig } from '../src/config/env.ts';
import { findTemporalCli } from '../src/temporal/cli-binary.ts';
import { startDevServer } from '../src/temporal/dev-server.ts';
import { freePort } from '../src/temporal/ports.ts';
import { installWorkerLogging } from '../src/workers/runtime-logging.ts';
import { record } from './results.ts';
import { median } from './stats.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const CALLS = Number(process.env.BENCH_CALLS ?? 10);

async function main() {
  const config = loadConfig({ ...process.env, TEMPORAL_ADDRESS: undefined });
  const binary = findTemporalCli(config.TEMPORAL_CLI_PATH);
  if (!binary) throw new Error('no temporal binary: run npm install');
  if (process.env.BENCH_LOGGING !== '0') installWorkerLogging();
  const dynamicConfig = (process.env.BENCH_DYNAMIC_CONFIG ?? '').split(/\s+/).filter(Boolean);
  const server = await startDevServer({
    binary,
    port: await freePort(),
    uiPort: await freePort(),
    namespace: 'default',
    headless: true,
    dynamicConfig,
  });
  const taskQueue = `floor-${randomUUID().slice(0, 8)}`;
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const worker = await Worker.create({
    connection: nativeConnection,
    taskQueue,
    activities: { noop: async () => 0 },
    workflowBundle: await bundleWorkflowCode({
      workflowsPath: fileURLToPath(new URL('./workflows/floor.ts', import.meta.url)),
      logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} },
    }),
  });
  const running = worker.run();
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const time = async (workflow: string, args: unknown[]) => {
    const started = performance.now();
    await client.workflow.execute(workflow, { taskQueue, workflowId: `floor-${randomUUID()}`, args });
    return performance.now() - started;
  };
  const measure = async (workflow: string, args: unknown[]) => {
    await time(workflow, args);
    const samples: number[] = [];
    for (let i = 0; i < ROUNDS; i++) samples.push(await time(workflow, args));
    return median(samples);
  };
  console.log(
    `floor: ${ROUNDS} rounds, ${CALLS} calls per workflow; dynamic config: ${dynamicConfig.join(' ') || 'Warden defaults'}`,
  );
  const empty = await measure('emptyWorkflow', []);
  console.log(`  empty workflow                     ${empty.toFixed(1)} ms`);
  record({ bench: 'floor', name: 'empty workflow', value: empty, unit: 'ms' });
  for (const parallel of [false, true]) {
    const mode = parallel ? 'parallel  ' : 'sequential';
    const regular = await measure('activitiesWorkflow', [{ calls: CALLS, parallel }]);
    const local = await measure('localActivitiesWorkflow', [{ calls: CALLS, parallel }]);
    const perActivity = (regular - empty) / CALLS;
    const perLocal = (local - empty) / CALLS;
    console.log(
      `  ${mode} activity ${perActivity.toFixed(1).padStart(6)} ms/call   local activity ${perLocal.toFixed(1).padStart(6)} ms/call`,
    );
    const how = parallel ? 'parallel' : 'sequential';
    record({
      bench: 'floor',
      name: 'bare activity',
      value: perActivity,
      unit: 'ms/call',
      ratio: 1,
      mode: how,
    });
    record({
      bench: 'floor',
      name: 'bare local activity',
      value: perLocal,
      unit: 'ms/call',
      ratio: perLocal / perActivity,
      mode: how,
    });
  }
  worker.shutdown();
  await running;
  await nativeConnection.close();
  await connection.close();
  await server.stop();
}

await main();
