/**
 * The workers of the scale-of-waiting benchmark, alone in this process so that its RSS is theirs:
 * the example project's Warden workers (main queue and trust-zone tool workers), configured from the
 * environment like `warden worker` (WARDEN_MAX_CACHED_WORKFLOWS among it). Answers the parent over IPC.
 * BENCH_TRACING_INTERCEPTORS=1 (or 0) overrides the example's `tracing.workflows`: the same runs with
 * the workflow tracing interceptors in the bundle (or without), to compare.
 */
import { loadConfig } from '../src/config/env.ts';
import { loadProject } from '../src/project/load-project.ts';
import { installWorkerLogging } from '../src/workers/runtime-logging.ts';
import { startWardenWorkers } from '../src/workers/warden-workers.ts';
import { resolveMaxCachedWorkflows } from '../src/workers/workflow-cache.ts';
import { EXAMPLE_DIR } from '../test/support/example.ts';

export type WorkerRequest = { type: 'memory' } | { type: 'stop' };
export type WorkerReply =
  | { type: 'ready'; maxCachedWorkflows: number }
  | {
      type: 'memory';
      rss: number;
      heapUsed: number;
      external: number;
      cpuMs: number;
      /** The workflow thread's V8 heap (used includes garbage not yet collected), from the diagnostic report. */
      workflowHeap: { used: number; total: number };
    };

interface ReportedThread {
  javascriptHeap?: { usedMemory?: number; totalMemory?: number };
}

/** The heaps of this process's worker threads (the SDK's workflow thread), summed. */
function workflowThreadHeap(): { used: number; total: number } {
  const report = process.report.getReport() as unknown as { workers?: ReportedThread[] };
  let used = 0;
  let total = 0;
  for (const thread of report.workers ?? []) {
    used += thread.javascriptHeap?.usedMemory ?? 0;
    total += thread.javascriptHeap?.totalMemory ?? 0;
  }
  return { used, total };
}

const send = (reply: WorkerReply) => process.send?.(reply);

async function main() {
  const loaded = await loadProject({ config: EXAMPLE_DIR });
  const choice = process.env.BENCH_TRACING_INTERCEPTORS;
  const project =
    choice === undefined ? loaded : { ...loaded, tracing: { ...loaded.tracing, workflows: choice !== '0' } };
  const config = loadConfig(process.env, { policyDir: project.policyDir });
  if (config.TEMPORAL_ADDRESS === undefined) throw new Error('the parent names TEMPORAL_ADDRESS');
  installWorkerLogging();
  const workers = await startWardenWorkers({
    config,
    endpoint: { address: config.TEMPORAL_ADDRESS, namespace: config.TEMPORAL_NAMESPACE },
    project,
  });
  process.on('message', async (request: WorkerRequest) => {
    if (request.type === 'memory') {
      // After a full collection, so the figure is what the runs keep, not garbage not yet collected.
      globalThis.gc?.();
      const { rss, heapUsed, external } = process.memoryUsage();
      // All threads of the process (the workflow thread too): robust to other load on the machine.
      const { user, system } = process.cpuUsage();
      send({
        type: 'memory',
        rss,
        heapUsed,
        external,
        cpuMs: (user + system) / 1000,
        workflowHeap: workflowThreadHeap(),
      });
    } else if (request.type === 'stop') {
      await workers.shutdown();
      process.disconnect();
    }
  });
  send({
    type: 'ready',
    maxCachedWorkflows: resolveMaxCachedWorkflows(config.WARDEN_MAX_CACHED_WORKFLOWS, project.worker),
  });
}

await main();
