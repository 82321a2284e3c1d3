/**
 * The scale of waiting: N tool-plan runs paused for a human approval on a real dev server, served
 * by real workers in a child process (bench/scale-of-waiting-worker.ts) so its RSS is theirs alone.
 * For each N (BENCH_PAUSED, default 100,1000) and sticky cache size (BENCH_CACHE: `warden` = Warden's
 * default, `all` = large enough to keep every paused run cached, as the SDK's heap-sized default
 * does here, or a number) it measures worker RSS before, with N paused and per paused run; then
 * approve → run completed, one call at a time with nothing else paused (idle) and while the N others
 * are still paused (random order, so evicted runs replay as they would); then 20 approvers at once.
 * Every approval is a real signed approval through submitApproval (the approval service's path):
 * the pending call is shown (one describe of the run, by run id: the calls its memo lists, as the
 * approvals page reads them), then what was shown is signed and sent as one Update. For the 20 approvers it also prints the CPU per approval of each process (workers,
 * dev server, this process: the approval service and the client waiting for results) and the server's
 * RPCs per approval, counted by its Prometheus metrics (BENCH_REQUESTS_DETAIL=1: every operation).
 * BENCH_WORKER_FLAGS adds Node flags to the worker process (e.g. `--max-semi-space-size=32`, which
 * wins over Warden's workflow heap setting); WARDEN_WORKFLOW_HEAP=node compares with V8's own heap
 * sizing. The workflow thread's heap is read from the process's diagnostic report, garbage included:
 * the main thread is collected before each probe, the workflow thread cannot be from outside.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { type AgentRunHandle, startAgentRun } from '../src/agents/start-run.ts';
import { listPendingApprovals } from '../src/approvals/list-pending.ts';
import { resolveDecisionSigner } from '../src/approvals/signing-keys.ts';
import { submitApproval } from '../src/approvals/submit-approval.ts';
import { createAuthorizer } from '../src/authz/create-authorizer.ts';
import { loadConfig, type WardenConfig } from '../src/config/env.ts';
import { loadProject } from '../src/project/load-project.ts';
import { wardenDataConverter } from '../src/temporal/data-converter.ts';
import { resolveTemporal } from '../src/temporal/launcher.ts';
import { freePort } from '../src/temporal/ports.ts';
import type { AgentRunResult } from '../src/workflows/agent/run-types.ts';
import { pendingApprovalsQuery } from '../src/workflows/guard/definitions.ts';
import type { ToolPlanInput, ToolPlanResult } from '../src/workflows/tool-plan.ts';
import { hostDecisionVerifier } from '../src/zones/host-decision-verifier.ts';
import { EXAMPLE_DIR } from '../test/support/example.ts';
import { childrenCpuMs, ownCpuMs } from './cpu.ts';
import { record } from './results.ts';
import type { WorkerReply, WorkerRequest } from './scale-of-waiting-worker.ts';
import { requestDelta, scrapeRequests } from './server-metrics.ts';
import { percentile } from './stats.ts';

const SIZES = (process.env.BENCH_PAUSED ?? '100,1000').split(',').map((n) => Number(n.trim()));
const CACHES = (process.env.BENCH_CACHE ?? 'warden,all').split(',').map((c) => c.trim());
const IDLE_APPROVALS = Number(process.env.BENCH_IDLE_APPROVALS ?? 20);
const LOADED_APPROVALS = Number(process.env.BENCH_LOADED_APPROVALS ?? 50);
const APPROVERS = Number(process.env.BENCH_APPROVERS ?? 20);
/**
 * `BENCH_RUNS=agent` pauses agent runs instead of tool plans: the example's support-copilot on its
 * scripted refund-over-limit scenario (reads the ticket, asks for the 250 EUR refund, waits; after
 * the approval it replies, closes the ticket and answers: three more model turns).
 */
const RUNS: 'plan' | 'agent' = process.env.BENCH_RUNS === 'agent' ? 'agent' : 'plan';
const START_CONCURRENCY = 20;
const MiB = 1024 * 1024;

type Plan = (input: ToolPlanInput) => Promise<ToolPlanResult>;
type Paused = WorkflowHandleWithFirstExecutionRunId<Plan> | AgentRunHandle;

/** Whether a paused run ended as it should once approved: its refund executed, or the agent completed. */
function finishedProblem(result: ToolPlanResult | AgentRunResult): string | undefined {
  if ('outcomes' in result)
    return result.outcomes[0]?.status === 'executed'
      ? undefined
      : `${result.outcomes[0]?.status} ${result.outcomes[0]?.reason}`;
  return result.status === 'completed' ? undefined : `${result.status} ${result.reason ?? ''}`;
}

/** Runs `task` over `items` with at most `limit` at once. */
async function pool<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await task(item);
      }
    }),
  );
}

function shuffled<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

class WorkerProcess {
  private readonly waiting: Array<(reply: WorkerReply) => void> = [];
  private constructor(private readonly child: ChildProcess) {
    child.on('message', (reply: WorkerReply) => this.waiting.shift()?.(reply));
  }

  static async start(env: NodeJS.ProcessEnv): Promise<{ worker: WorkerProcess; maxCachedWorkflows: number }> {
    const script = fileURLToPath(new URL('./scale-of-waiting-worker.ts', import.meta.url));
    const child = spawn(
      process.execPath,
      [
        '--conditions=warden-source',
        '--expose-gc',
        // BENCH_WORKER_PROFILE=<dir>: CPU profiles of the worker process (each thread) to find where time goes.
        ...(process.env.BENCH_WORKER_PROFILE
          ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_WORKER_PROFILE}`]
          : []),
        // BENCH_WORKER_FLAGS: further Node flags for the worker process, e.g. a heap limit to compare.
        ...(process.env.BENCH_WORKER_FLAGS ?? '').split(/\s+/).filter(Boolean),
        '--import',
        'tsx',
        script,
      ],
      { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
    );
    const worker = new WorkerProcess(child);
    const ready = await new Promise<WorkerReply>((resolve, reject) => {
      worker.waiting.push(resolve);
      child.once('exit', (code) => reject(new Error(`the worker process exited with code ${code}`)));
    });
    if (ready.type !== 'ready') throw new Error(`unexpected reply ${ready.type}`);
    return { worker, maxCachedWorkflows: ready.maxCachedWorkflows };
  }

  request(request: WorkerRequest): Promise<WorkerReply> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.child.send(request);
    });
  }

  async memory(): Promise<Extract<WorkerReply, { type: 'memory' }>> {
    const reply = await this.request({ type: 'memory' });
    if (reply.type !== 'memory') throw new Error(`unexpected reply ${reply.type}`);
    return reply;
  }

  async stop(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.send({ type: 'stop' } satisfies WorkerRequest);
    await exited;
  }
}

async function main() {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'warden-bench-waiting-'));
  const project = await loadProject({ config: EXAMPLE_DIR });
  const baseEnv = { ...process.env, TEMPORAL_ADDRESS: undefined, WARDEN_DATA_DIR: dataDir };
  const config: WardenConfig = loadConfig(baseEnv, { policyDir: project.policyDir });
  const metricsPort = await freePort();
  const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  const endpoint = await resolveTemporal(config, {
    log: console.error,
    ephemeral: { port: await freePort(), metricsPort },
  });
  const connection = await Connection.connect({ address: endpoint.address });
  const client = new Client({
    connection,
    namespace: endpoint.namespace,
    dataConverter: await wardenDataConverter(config),
  });
  // The approval service: the data directory's signing key (the workers accept it), the live policy.
  const signer = await resolveDecisionSigner(config);
  const authorizer = await createAuthorizer(config);
  const decisions = hostDecisionVerifier(config, project.tools);

  let counter = 0;
  const startPaused = async (taskQueue: string): Promise<Paused> => {
    counter += 1;
    if (RUNS === 'agent')
      return startAgentRun(client, {
        taskQueue,
        workflowId: `bench-waiting-agent-${counter}-${randomUUID().slice(0, 8)}`,
        agent: 'support-copilot',
        onBehalfOf: 'alice',
        input: 'Please handle ticket t-503 for me.',
        scenario: 'refund-over-limit',
      });
    return client.workflow.start<Plan>('toolPlanWorkflow', {
      taskQueue,
      workflowId: `bench-waiting-${counter}-${randomUUID().slice(0, 8)}`,
      args: [
        {
          agent: 'support-bot',
          onBehalfOf: 'alice',
          purpose: 'resolve alice support tickets',
          calls: [
            {
              tool: 'crm.issue_refund',
              callId: 'refund',
              arguments: { customerId: 'c-1001', amount: 250, currency: 'EUR', reason: 'cancelled plan' },
            },
          ],
        },
      ],
    });
  };
  const pendingCall = async (handle: Paused) => {
    for (;;) {
      const [pending] = await handle.query(pendingApprovalsQuery);
      if (pending) return pending;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const pausedCount = async (taskQueue: string, total: number) => {
    const query = `TaskQueue = "${taskQueue}" AND WardenPendingApprovals = 1 AND ExecutionStatus = "Running"`;
    const done = `TaskQueue = "${taskQueue}" AND ExecutionStatus = "Completed"`;
    for (;;) {
      const [paused, completed] = await Promise.all([
        client.workflow.count(query),
        client.workflow.count(done),
      ]);
      if (paused.count + completed.count >= total) return;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  };
  /**
   * What the approval page does: shows the pending call (a describe of the run: its memo), then
   * signs what it showed and sends it. The two steps are timed apart.
   */
  const approve = async (handle: Paused) => {
    const started = performance.now();
    // By run id, as the page reads the runs its visibility listing found.
    const shown = (
      await listPendingApprovals(client, { workflowId: handle.workflowId, runId: handle.firstExecutionRunId })
    ).find((p) => p.tool === 'crm.issue_refund');
    if (shown === undefined) throw new Error(`run ${handle.workflowId}: no refund is waiting`);
    const queried = performance.now();
    await submitApproval(client, {
      workflowId: handle.workflowId,
      callId: shown.callId,
      shown,
      approver: { user: { type: 'User', id: 'bob' }, authentication: 'token', tokenLabel: 'bench' },
      decision: 'approve',
      signer,
      authorizer,
      tools: project.tools,
      decisions,
      mode: 'development',
    });
    const accepted = performance.now();
    const problem = finishedProblem(await handle.result());
    if (problem !== undefined) throw new Error(`run ${handle.workflowId}: ${problem}`);
    return { query: queried - started, update: accepted - queried, completed: performance.now() - started };
  };

  console.log(
    `scale of waiting: ${RUNS === 'agent' ? 'agent runs (support-copilot, refund-over-limit)' : 'tool-plan runs'} paused for approval (crm.issue_refund 250 EUR), N = ${SIZES.join(', ')}; caches ${CACHES.join(', ')}; real dev server, workers in a child process`,
  );
  for (const size of SIZES) {
    for (const cache of CACHES) {
      const taskQueue = `waiting-${randomUUID().slice(0, 8)}`;
      const cacheSetting =
        cache === 'warden' ? undefined : cache === 'all' ? String(size + IDLE_APPROVALS + 50) : cache;
      const { worker, maxCachedWorkflows } = await WorkerProcess.start({
        ...baseEnv,
        TEMPORAL_ADDRESS: endpoint.address,
        TEMPORAL_NAMESPACE: endpoint.namespace,
        WARDEN_TASK_QUEUE: taskQueue,
        WARDEN_MAX_CACHED_WORKFLOWS: cacheSetting,
      });
      const params = { paused: size, maxCachedWorkflows, cache, runs: RUNS };
      const label = `${RUNS === 'agent' ? 'agent runs ' : ''}N=${size} cache=${maxCachedWorkflows}${cache === 'warden' ? ' (Warden default)' : ''}`;

      // Warm-up: the bundle is loaded and each path has run once before anything is timed.
      for (let i = 0; i < 3; i++) {
        const handle = await startPaused(taskQueue);
        await pendingCall(handle);
        await approve(handle);
      }
      const before = await worker.memory();

      const idle: number[] = [];
      const idleCpu = await worker.memory();
      for (let i = 0; i < IDLE_APPROVALS; i++) {
        const handle = await startPaused(taskQueue);
        await pendingCall(handle);
        idle.push((await approve(handle)).completed);
      }

      const beforePause = await worker.memory();
      const pauseStarted = performance.now();
      const handles: Paused[] = [];
      await pool(
        Array.from({ length: size }, (_, i) => i),
        START_CONCURRENCY,
        async () => {
          handles.push(await startPaused(taskQueue));
        },
      );
      // Paused means the run says so in visibility (WardenPendingApprovals), as the approvals page
      // finds runs: a query to each of N runs would replay every evicted one just to look.
      await pausedCount(taskQueue, size + IDLE_APPROVALS + 3);
      const pauseSeconds = (performance.now() - pauseStarted) / 1000;
      const paused = await worker.memory();
      const perRun = (paused.rss - before.rss) / size;

      const order = shuffled(handles);
      const loaded: number[] = [];
      const loadedUpdate: number[] = [];
      const beforeLoaded = await worker.memory();
      for (const handle of order.slice(0, LOADED_APPROVALS)) {
        const { update, completed } = await approve(handle);
        loaded.push(completed);
        loadedUpdate.push(update);
      }

      const afterLoaded = await worker.memory();
      const rest = order.slice(LOADED_APPROVALS);
      const concurrent: number[] = [];
      const concurrentQuery: number[] = [];
      const concurrentUpdate: number[] = [];
      const requestsBefore = await scrapeRequests(metricsUrl);
      const benchCpuBefore = ownCpuMs();
      const serverCpuBefore = childrenCpuMs('temporal');
      const concurrentStarted = performance.now();
      // The monotonic clock the worker's CPU profiles share: to cut the profile to this phase.
      const clock = () => (process.hrtime.bigint() / 1000n).toString();
      if (process.env.BENCH_WORKER_PROFILE) console.log(`    ${APPROVERS} approvers from ${clock()} µs`);
      await pool(rest, APPROVERS, async (handle) => {
        const { query, update, completed } = await approve(handle);
        concurrent.push(completed);
        concurrentQuery.push(query);
        concurrentUpdate.push(update);
      });
      const throughput = rest.length / ((performance.now() - concurrentStarted) / 1000);
      if (process.env.BENCH_WORKER_PROFILE) console.log(`    ${APPROVERS} approvers until ${clock()} µs`);
      const after = await worker.memory();
      const serverCpu = (childrenCpuMs('temporal') - serverCpuBefore) / Math.max(1, rest.length);
      const benchCpu = (ownCpuMs() - benchCpuBefore) / Math.max(1, rest.length);
      const requests = requestDelta(requestsBefore, await scrapeRequests(metricsUrl));
      await worker.stop();

      const ms = (v: number) => `${v.toFixed(0)} ms`;
      // Worker CPU per run (all its threads), from before the warm-up memory probe of each phase.
      const cpuIdle = (beforePause.cpuMs - idleCpu.cpuMs) / IDLE_APPROVALS;
      const cpuPause = (paused.cpuMs - beforePause.cpuMs) / size;
      const cpuLoaded = (afterLoaded.cpuMs - beforeLoaded.cpuMs) / LOADED_APPROVALS;
      const cpuConcurrent = (after.cpuMs - afterLoaded.cpuMs) / Math.max(1, rest.length);
      console.log(
        `  ${label}: ${size} runs paused in ${pauseSeconds.toFixed(1)} s; worker CPU ${cpuPause.toFixed(0)} ms per run paused, ` +
          `${cpuIdle.toFixed(0)} ms per run start+approve (idle), ${cpuLoaded.toFixed(0)} ms per approval (others paused), ${cpuConcurrent.toFixed(0)} ms per approval (${APPROVERS} approvers)`,
      );
      console.log(
        `    worker RSS before ${(before.rss / MiB).toFixed(0)} MiB, with ${size} paused ${(paused.rss / MiB).toFixed(0)} MiB` +
          ` (${(perRun / 1024).toFixed(0)} KiB per paused run; heap ${(before.heapUsed / MiB).toFixed(0)} → ${(paused.heapUsed / MiB).toFixed(0)} MiB), after all completed ${(after.rss / MiB).toFixed(0)} MiB`,
      );
      const threadHeap = (m: typeof before) =>
        `${(m.workflowHeap.used / MiB).toFixed(0)} used of ${(m.workflowHeap.total / MiB).toFixed(0)} MiB`;
      console.log(
        `    workflow thread heap (garbage included): before ${threadHeap(before)}, with ${size} paused ${threadHeap(paused)}, after all completed ${threadHeap(after)}`,
      );
      console.log(
        `    approve → completed, idle: p50 ${ms(percentile(idle, 50))}, p95 ${ms(percentile(idle, 95))}` +
          `   with ${size - 1}…${size - LOADED_APPROVALS} others paused: p50 ${ms(percentile(loaded, 50))}, p95 ${ms(percentile(loaded, 95))}` +
          ` (Update accepted p50 ${ms(percentile(loadedUpdate, 50))})`,
      );
      console.log(
        `    ${APPROVERS} approvers at once: ${throughput.toFixed(1)} approvals/s (${rest.length} runs), approve → completed p50 ${ms(percentile(concurrent, 50))}, p95 ${ms(percentile(concurrent, 95))}` +
          ` (shown p50 ${ms(percentile(concurrentQuery, 50))}, Update accepted p50 ${ms(percentile(concurrentUpdate, 50))})`,
      );
      console.log(
        `    CPU per approval (${APPROVERS} approvers): worker ${cpuConcurrent.toFixed(1)} ms, dev server ${serverCpu.toFixed(1)} ms, approval service and bench client ${benchCpu.toFixed(1)} ms`,
      );
      const perApproval = (key: string) =>
        (requests.find(([k]) => k === key)?.[1] ?? 0) / Math.max(1, rest.length);
      const frontend = requests.filter(([key]) => key.startsWith('frontend:'));
      console.log(
        `    server requests per approval: frontend ${(frontend.reduce((n, [, v]) => n + v, 0) / rest.length).toFixed(1)} (` +
          frontend
            .slice(0, 10)
            .map(([key, v]) => `${key.slice('frontend:'.length)} ${(v / rest.length).toFixed(2)}`)
            .join(', ') +
          `), history ${requests
            .filter(([key]) => key.startsWith('history:'))
            .reduce((n, [, v]) => n + v / rest.length, 0)
            .toFixed(1)}, matching ${requests
            .filter(([key]) => key.startsWith('matching:'))
            .reduce((n, [, v]) => n + v / rest.length, 0)
            .toFixed(1)}, persistence ${requests
            .filter(([key]) => key.startsWith('persistence:'))
            .reduce((n, [, v]) => n + v / rest.length, 0)
            .toFixed(1)}`,
      );
      if (process.env.BENCH_REQUESTS_DETAIL) {
        for (const [key, v] of requests) console.log(`      ${key} ${(v / rest.length).toFixed(2)}`);
      }
      const row = (name: string, value: number, unit: string, mode?: 'sequential' | 'parallel') =>
        record({
          bench: 'scale-of-waiting',
          name: `${name} [${label}]`,
          value,
          unit,
          params,
          ...(mode ? { mode } : {}),
        });
      row('worker RSS before', before.rss / MiB, 'MiB');
      row(`worker RSS, ${size} paused`, paused.rss / MiB, 'MiB');
      row('worker RSS per paused run', perRun / 1024, 'KiB');
      row(`workflow thread heap, ${size} paused`, paused.workflowHeap.total / MiB, 'MiB');
      row('approve → completed p50, idle', percentile(idle, 50), 'ms', 'sequential');
      row('approve → completed p95, idle', percentile(idle, 95), 'ms', 'sequential');
      row('approve → completed p50, others paused', percentile(loaded, 50), 'ms', 'sequential');
      row('approve → completed p95, others paused', percentile(loaded, 95), 'ms', 'sequential');
      row(`approvals/s, ${APPROVERS} approvers`, throughput, 'approvals/s', 'parallel');
      row(`approve → completed p50, ${APPROVERS} approvers`, percentile(concurrent, 50), 'ms', 'parallel');
      // CPU of the worker process per approval: what load on a shared machine does not change much.
      row('worker CPU per approval, others paused', cpuLoaded, 'ms', 'sequential');
      row(`worker CPU per approval, ${APPROVERS} approvers`, cpuConcurrent, 'ms', 'parallel');
      row(`dev server CPU per approval, ${APPROVERS} approvers`, serverCpu, 'ms', 'parallel');
      row(`approval service CPU per approval, ${APPROVERS} approvers`, benchCpu, 'ms', 'parallel');
      row(
        `frontend RPCs per approval, ${APPROVERS} approvers`,
        frontend.reduce((n, [, v]) => n + v, 0) / rest.length,
        'RPCs',
        'parallel',
      );
      row(
        `queries per approval, ${APPROVERS} approvers`,
        perApproval('frontend:QueryWorkflow'),
        'RPCs',
        'parallel',
      );
    }
  }
  await authorizer.close();
  await connection.close();
  await endpoint.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

await main();
