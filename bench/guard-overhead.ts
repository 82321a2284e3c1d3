/**
 * What the guard costs per tool call, measured on a real Temporal dev server against a bare
 * baseline in the same run: the same ticket reads as plain activities (no guard) and as guarded
 * calls (validate → authorize → intent → execute with re-check). Prints medians and ratios, and the
 * CPU each side used per call in the worker process (its workflow thread, activities and Temporal's
 * core) and in the dev server: CPU time moves less than wall time on a machine others load too, and
 * in parallel runs on 2 cores it is what sets the time.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { createActivities, createActivityDependencies } from '../src/activities/index.ts';
import { loadConfig } from '../src/config/env.ts';
import { tracesWorkflows, workerTracingOptions } from '../src/telemetry/tracing.ts';
import { resolveTemporal } from '../src/temporal/launcher.ts';
import { freePort } from '../src/temporal/ports.ts';
import { installWorkerLogging } from '../src/workers/runtime-logging.ts';
import { wardenBundlerOptions } from '../src/workers/workflow-bundle.ts';
import {
  EXAMPLE_DIR,
  EXAMPLE_POLICY_DIR,
  exampleDependencies,
  exampleProject,
} from '../test/support/example.ts';
import { childrenCpuMs, ownCpuMs } from './cpu.ts';
import { record } from './results.ts';
import { median } from './stats.ts';

// Interleaved rounds, many of them: the medians have to hold on a machine that other work shares.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 21);
const CALLS = Number(process.env.BENCH_CALLS ?? 10);
const TICKETS = ['t-501', 't-502', 't-503'];
/**
 * The workflows are bundled as the example project chooses (its `tracing.workflows`: no workflow
 * tracing interceptors). `BENCH_TRACING_INTERCEPTORS=1` bundles them with Temporal's tracing
 * interceptors (a project with `tracing: { workflows: true }` whose worker does not export spans),
 * `=0` without: what they cost a run.
 */
const TRACING_CHOICE = process.env.BENCH_TRACING_INTERCEPTORS;

/** The tool's work with no guard around it (the baseline of bareCallsWorkflow); this worker only. */
function baselineActivities(deps: { services: { crm: { getTicket(id: string): unknown } } }) {
  return { readTicketUnguarded: async (ticketId: string) => deps.services.crm.getTicket(ticketId) };
}

async function main() {
  // The benchmark always starts its own server, so both sides see the same one.
  // Its own data directory too: the usage store's per-window places start empty.
  const dataDir = mkdtempSync(path.join(tmpdir(), 'warden-bench-'));
  const config = loadConfig(
    { ...process.env, TEMPORAL_ADDRESS: undefined, WARDEN_DATA_DIR: dataDir },
    { policyDir: EXAMPLE_POLICY_DIR },
  );
  installWorkerLogging();
  const endpoint = await resolveTemporal(config, {
    log: console.error,
    ephemeral: { port: await freePort() },
  });
  const deps = await createActivityDependencies(config, await exampleDependencies());
  const traceWorkflows =
    TRACING_CHOICE === undefined ? tracesWorkflows((await exampleProject()).tracing) : TRACING_CHOICE !== '0';
  const taskQueue = `bench-${randomUUID().slice(0, 8)}`;
  const nativeConnection = await NativeConnection.connect({ address: endpoint.address });
  const worker = await Worker.create({
    // With the tracing interceptors in the bundle, this untraced worker drops their spans.
    ...workerTracingOptions(undefined),
    connection: nativeConnection,
    namespace: endpoint.namespace,
    taskQueue,
    activities: { ...createActivities(deps), ...baselineActivities(deps) },
    workflowBundle: await bundleWorkflowCode({
      workflowsPath: path.join(EXAMPLE_DIR, 'bench/workflows.ts'),
      ...wardenBundlerOptions({ traceWorkflows }),
      logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} },
    }),
  });
  const running = worker.run();
  const connection = await Connection.connect({ address: endpoint.address });
  const client = new Client({ connection, namespace: endpoint.namespace });

  const ticketIds = Array.from({ length: CALLS }, (_, i) => TICKETS[i % TICKETS.length] ?? 't-501');
  const runBare = async (parallel: boolean) => {
    const started = performance.now();
    await client.workflow.execute('bareCallsWorkflow', {
      taskQueue,
      workflowId: `bench-bare-${randomUUID()}`,
      args: [{ ticketIds, parallel }],
    });
    return performance.now() - started;
  };
  const runGuarded = async (parallel: boolean) => {
    const started = performance.now();
    const result = (await client.workflow.execute('toolPlanWorkflow', {
      taskQueue,
      workflowId: `bench-guarded-${randomUUID()}`,
      args: [
        {
          agent: 'support-bot',
          onBehalfOf: 'alice',
          purpose: 'benchmark: read tickets',
          parallel,
          calls: ticketIds.map((ticketId) => ({ tool: 'ticket.get', arguments: { ticketId } })),
        },
      ],
    })) as { outcomes: Array<{ status: string }> };
    const executed = result.outcomes.filter((o) => o.status === 'executed').length;
    if (executed !== CALLS) throw new Error(`guarded plan executed ${executed} of ${CALLS} calls`);
    return performance.now() - started;
  };

  console.log(
    `guard overhead: ${CALLS} ticket reads per workflow, ${ROUNDS} rounds (after 1 warm-up), real Temporal dev server` +
      (traceWorkflows ? ', bundle with the workflow tracing interceptors' : ''),
  );
  for (const parallel of [false, true]) {
    await runBare(parallel);
    await runGuarded(parallel);
    const bare: number[] = [];
    const guarded: number[] = [];
    const cpu = { bare: { worker: 0, server: 0 }, guarded: { worker: 0, server: 0 } };
    const measured = async (side: 'bare' | 'guarded', run: (parallel: boolean) => Promise<number>) => {
      const worker = ownCpuMs();
      const server = childrenCpuMs();
      const ms = await run(parallel);
      cpu[side].worker += ownCpuMs() - worker;
      cpu[side].server += childrenCpuMs() - server;
      return ms;
    };
    // Interleaved so drift in machine load hits both sides alike.
    for (let round = 0; round < ROUNDS; round++) {
      bare.push(await measured('bare', runBare));
      guarded.push(await measured('guarded', runGuarded));
    }
    const bareMedian = median(bare);
    const guardedMedian = median(guarded);
    const mode = parallel ? 'parallel  ' : 'sequential';
    console.log(
      `  ${mode}  bare ${bareMedian.toFixed(0).padStart(5)} ms/workflow (${(bareMedian / CALLS).toFixed(1)} ms/call)` +
        `   guarded ${guardedMedian.toFixed(0).padStart(5)} ms/workflow (${(guardedMedian / CALLS).toFixed(1)} ms/call)` +
        `   ratio ${(guardedMedian / bareMedian).toFixed(2)}×   overhead ${((guardedMedian - bareMedian) / CALLS).toFixed(1)} ms/call`,
    );
    const perCall = (ms: number) => (ms / ROUNDS / CALLS).toFixed(1);
    const server = (side: 'bare' | 'guarded') =>
      Number.isNaN(cpu[side].server) ? '' : `, server ${perCall(cpu[side].server)}`;
    console.log(
      `              cpu ms/call: bare worker ${perCall(cpu.bare.worker)}${server('bare')}` +
        `   guarded worker ${perCall(cpu.guarded.worker)}${server('guarded')}`,
    );
    const how = parallel ? 'parallel' : 'sequential';
    const row = { bench: 'guard-overhead', unit: 'ms/call', mode: how, params: { calls: CALLS } } as const;
    record({ ...row, name: 'bare activity (ticket read, no guard)', value: bareMedian / CALLS, ratio: 1 });
    record({
      ...row,
      name: 'guarded unattended call',
      value: guardedMedian / CALLS,
      ratio: guardedMedian / bareMedian,
    });
  }

  worker.shutdown();
  await running;
  await nativeConnection.close();
  await connection.close();
  await deps.close();
  await endpoint.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

await main();
