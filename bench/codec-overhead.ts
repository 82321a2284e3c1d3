/**
 * What payload encryption costs: the codec alone (encode + decode of typical payloads), and the same
 * guarded tool plan on a real Temporal dev server with and without Warden's data converter (latency
 * per workflow, history size). Prints medians.
 */

import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { type DataConverter, defaultPayloadConverter, type Payload } from '@temporalio/common';
import proto from '@temporalio/proto';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { createActivities, createActivityDependencies } from '../src/activities/index.ts';
import { loadConfig } from '../src/config/env.ts';
import { workerTracingOptions } from '../src/telemetry/tracing.ts';
import { FAILURE_CONVERTER_PATH, wardenDataConverter } from '../src/temporal/data-converter.ts';
import { EncryptionCodec } from '../src/temporal/encryption-codec.ts';
import { resolveTemporal } from '../src/temporal/launcher.ts';
import { generateKeyEntry, parseKeyRing, StaticKeyProvider } from '../src/temporal/payload-keys.ts';
import { freePort } from '../src/temporal/ports.ts';
import { installWorkerLogging } from '../src/workers/runtime-logging.ts';
import { workflowBundlerOptions } from '../src/workers/workflow-bundle.ts';
import { EXAMPLE_DIR, EXAMPLE_POLICY_DIR, exampleDependencies } from '../test/support/example.ts';
import { record } from './results.ts';
import { median } from './stats.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const CALLS = Number(process.env.BENCH_CALLS ?? 10);
const CODEC_OPS = 2_000;
const context = { type: 'workflow' as const, namespace: 'default', workflowId: 'bench-run' };
const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} };

async function codecAlone(): Promise<void> {
  const codec = new EncryptionCodec(new StaticKeyProvider(parseKeyRing(generateKeyEntry('bench'), 'bench')));
  const sizes = [256, 4_096, 65_536];
  for (const size of sizes) {
    const payload = defaultPayloadConverter.toPayload({ text: 'x'.repeat(size) }) as Payload;
    const plainBytes = proto.temporal.api.common.v1.Payload.encode(payload).finish().length;
    const [encoded] = (await codec.encode([payload], context)) as [Payload];
    const encodedBytes = proto.temporal.api.common.v1.Payload.encode(encoded).finish().length;
    const samples: number[] = [];
    for (let i = 0; i < CODEC_OPS; i++) {
      const started = performance.now();
      const [again] = (await codec.encode([payload], context)) as [Payload];
      await codec.decode([again], context);
      samples.push((performance.now() - started) * 1000);
    }
    console.log(
      `  codec alone  ${String(plainBytes).padStart(6)} B payload → ${String(encodedBytes).padStart(6)} B (+${encodedBytes - plainBytes} B)` +
        `   encode+decode ${median(samples).toFixed(1).padStart(6)} µs (median of ${CODEC_OPS})`,
    );
    record({
      bench: 'codec',
      name: `codec encode+decode, ${plainBytes} B payload`,
      value: median(samples),
      unit: 'µs',
    });
  }
}

async function main() {
  console.log(`payload codec: AES-256-GCM, ${CALLS} guarded ticket reads per workflow, ${ROUNDS} rounds`);
  await codecAlone();

  const config = loadConfig(
    { ...process.env, TEMPORAL_ADDRESS: undefined },
    { policyDir: EXAMPLE_POLICY_DIR },
  );
  installWorkerLogging();
  const endpoint = await resolveTemporal(config, {
    log: console.error,
    ephemeral: { port: await freePort() },
  });
  const deps = await createActivityDependencies(config, await exampleDependencies());
  const workflowsPath = path.join(EXAMPLE_DIR, 'bench/workflows.ts');
  const encrypted = await wardenDataConverter(config);
  const nativeConnection = await NativeConnection.connect({ address: endpoint.address });
  const connection = await Connection.connect({ address: endpoint.address });

  const side = async (name: string, dataConverter: DataConverter | undefined) => {
    const taskQueue = `bench-codec-${name}-${randomUUID().slice(0, 8)}`;
    const worker = await Worker.create({
      // The example's bundle: no workflow tracing interceptors (its project does not trace workflows).
      ...workerTracingOptions(undefined),
      connection: nativeConnection,
      namespace: endpoint.namespace,
      taskQueue,
      activities: createActivities(deps),
      ...(dataConverter ? { dataConverter } : {}),
      workflowBundle: await bundleWorkflowCode({
        workflowsPath,
        ...workflowBundlerOptions,
        ...(dataConverter ? { failureConverterPath: FAILURE_CONVERTER_PATH } : {}),
        logger: quiet,
      }),
    });
    const client = new Client({
      connection,
      namespace: endpoint.namespace,
      ...(dataConverter ? { dataConverter } : {}),
    });
    return { name, taskQueue, worker, running: worker.run(), client };
  };
  const sides = [await side('plain', undefined), await side('encrypted', encrypted)];

  const run = async (s: (typeof sides)[number], parallel: boolean) => {
    const workflowId = `bench-codec-${randomUUID()}`;
    const started = performance.now();
    const result = (await s.client.workflow.execute('toolPlanWorkflow', {
      taskQueue: s.taskQueue,
      workflowId,
      args: [
        {
          agent: 'support-bot',
          onBehalfOf: 'alice',
          purpose: 'benchmark: read tickets',
          parallel,
          calls: Array.from({ length: CALLS }, (_, i) => ({
            tool: 'ticket.get',
            arguments: { ticketId: ['t-501', 't-502', 't-503'][i % 3] },
          })),
        },
      ],
    })) as { outcomes: Array<{ status: string }> };
    if (result.outcomes.filter((o) => o.status === 'executed').length !== CALLS)
      throw new Error('plan failed');
    return { ms: performance.now() - started, workflowId };
  };

  for (const parallel of [false, true]) {
    const times = new Map<string, number[]>(sides.map((s) => [s.name, []]));
    for (const s of sides) await run(s, parallel);
    for (let round = 0; round < ROUNDS; round++) {
      for (const s of sides) times.get(s.name)?.push((await run(s, parallel)).ms);
    }
    const [plain, enc] = sides.map((s) => median(times.get(s.name) ?? []));
    console.log(
      `  ${parallel ? 'parallel  ' : 'sequential'}  plain ${plain?.toFixed(0).padStart(5)} ms/workflow` +
        `   encrypted ${enc?.toFixed(0).padStart(5)} ms/workflow   +${((enc ?? 0) - (plain ?? 0)).toFixed(1)} ms (${(((enc ?? 0) / (plain ?? 1) - 1) * 100).toFixed(1)}%)`,
    );
    const how = parallel ? 'parallel' : 'sequential';
    record({
      bench: 'codec',
      name: 'guarded call, plain payloads',
      value: (plain ?? 0) / CALLS,
      unit: 'ms/call',
      mode: how,
    });
    record({
      bench: 'codec',
      name: 'guarded call, encrypted payloads',
      value: (enc ?? 0) / CALLS,
      unit: 'ms/call',
      mode: how,
    });
  }
  const sizes: number[] = [];
  for (const s of sides) {
    const { workflowId } = await run(s, false);
    const history = await s.client.workflow.getHandle(workflowId).fetchHistory();
    sizes.push(proto.temporal.api.history.v1.History.encode(history).finish().length);
  }
  const [plainSize, encSize] = sizes;
  console.log(
    `  history size  plain ${plainSize} B   encrypted ${encSize} B   +${(((encSize ?? 0) / (plainSize ?? 1) - 1) * 100).toFixed(1)}%`,
  );

  for (const s of sides) s.worker.shutdown();
  await Promise.all(sides.map((s) => s.running));
  await nativeConnection.close();
  await connection.close();
  await deps.close();
  await endpoint.stop();
}

await main();
