import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { type AgentRunResult, loadProject, startAgentRun, type WardenProject } from 'warden';
import { type ModelFactory, startTestWorkers } from 'warden/testing';
import type { EvalDomain } from '../domains/index.ts';
import { type BareDomain, createBareActivities } from './bare-activities.ts';
import type { BareRunInput } from './bare-workflow.ts';
import type { CallRecord } from './score.ts';
import type { AttendedRun } from './scripted-approver.ts';
import type { EvalTask } from './tasks.ts';

/** A way of running the evaluation's tasks: with no guard, or with a Warden project per domain. */
export interface Configuration {
  name: string;
  description: string;
  /** Runs one task to its end under `workflowId` (its environment is registered already). */
  run(domain: EvalDomain, task: EvalTask, workflowId: string): Promise<CallRecord[]>;
  shutdown(): Promise<void>;
}

interface Endpoint {
  address: string;
  namespace: string;
}

const isInjected = (callId: string) => callId.startsWith('call_a');

/**
 * No guard: the obedient model and the tools in a plain Temporal agent loop (bare-workflow.ts),
 * every call the model makes executed as one activity. The utility and attack baseline.
 */
export async function bareConfiguration(
  endpoint: Endpoint,
  tasks: ReadonlyMap<string, EvalTask>,
  domains: readonly EvalDomain[],
): Promise<Configuration> {
  const taskQueue = `eval-bare-${randomUUID().slice(0, 8)}`;
  const bare = new Map<string, BareDomain>(
    domains.map((d) => [
      d.domain.name,
      { tools: d.tools, services: d.services(), agent: d.domain.agent, user: d.domain.user },
    ]),
  );
  const nativeConnection = await NativeConnection.connect({ address: endpoint.address });
  const worker = await Worker.create({
    connection: nativeConnection,
    namespace: endpoint.namespace,
    taskQueue,
    workflowBundle: await bundleWorkflowCode({
      workflowsPath: path.join(import.meta.dirname, 'bare-workflow.ts'),
      logger: quietLogger,
    }),
    activities: createBareActivities(tasks, bare),
  });
  const running = worker.run();
  const connection = await Connection.connect({ address: endpoint.address });
  const client = new Client({ connection, namespace: endpoint.namespace });
  return {
    name: 'none',
    description: 'no guard: every call the model makes runs',
    async run(domain, task, workflowId) {
      const input: BareRunInput = {
        domain: domain.domain.name,
        task: task.id,
        request: task.request,
        maxTurns: 16,
      };
      const result = await client.workflow.execute('bareAgentWorkflow', {
        taskQueue,
        workflowId,
        args: [input],
      });
      return (result as { calls: Array<Omit<CallRecord, 'injected'>> }).calls.map((call) => ({
        callId: call.callId,
        tool: call.tool,
        status: call.status,
        reason: call.reason,
        injected: isInjected(call.callId),
      }));
    },
    async shutdown() {
      worker.shutdown();
      await running;
      await nativeConnection.close();
      await connection.close();
    },
  };
}

/** The calls of a finished Warden run, from its timeline: outcome and the guard's decision record. */
export function callsOf(result: AgentRunResult): CallRecord[] {
  return result.timeline.flatMap((entry): CallRecord[] => {
    if (entry.kind !== 'tool') return [];
    const approval = entry.decision?.approval;
    const provenance = entry.decision?.provenance;
    return [
      {
        callId: entry.outcome.callId,
        tool: entry.outcome.tool,
        status: entry.outcome.status,
        reason: entry.outcome.reason,
        ...(approval?.required ? { approvalReasons: approval.reasons } : {}),
        injected: isInjected(entry.outcome.callId),
        ...(provenance
          ? {
              provenance: {
                verdict: provenance.verdict,
                values: provenance.values.map(
                  (v) =>
                    `${v.path} ${v.token} ${JSON.stringify(v.text)}: ${v.origin}${v.confidential ? ', confidential' : ''}`,
                ),
              },
            }
          : {}),
      },
    ];
  });
}

/**
 * A Warden guard: each domain's project (`<projectDir>/warden.config.ts`, or the file `configFile`
 * names there) on real Warden workers, the obedient model answering every turn. `attend`, when
 * given, runs beside each run until it finishes (the approval pass's scripted approver).
 */
export async function wardenConfiguration(options: {
  name: string;
  description: string;
  endpoint: Endpoint;
  domains: readonly EvalDomain[];
  models: ModelFactory;
  configFile?: string;
  attend?: (run: AttendedRun) => Promise<void>;
}): Promise<Configuration> {
  const started: Array<Awaited<ReturnType<typeof startTestWorkers>>> = [];
  const byDomain = new Map<string, { workers: (typeof started)[number]; project: WardenProject }>();
  try {
    for (const domain of options.domains) {
      const project = await loadProject({
        config: path.join(domain.projectDir, options.configFile ?? 'warden.config.ts'),
      });
      const workers = await startTestWorkers(project, options.endpoint, process.env, {
        models: options.models,
      });
      started.push(workers);
      byDomain.set(domain.domain.name, { workers, project });
    }
  } catch (error) {
    await Promise.all(started.map((w) => w.shutdown()));
    throw error;
  }
  return {
    name: options.name,
    description: options.description,
    async run(domain, task, workflowId) {
      const found = byDomain.get(domain.domain.name);
      if (found === undefined) throw new Error(`no workers for domain ${domain.domain.name}`);
      const { workers, project } = found;
      const handle = await startAgentRun(workers.client, {
        agent: domain.domain.agent,
        onBehalfOf: domain.domain.user,
        input: task.request,
        scenario: task.id,
        taskQueue: workers.taskQueue,
        workflowId,
      });
      let finished = false;
      const result = handle.result().finally(() => {
        finished = true;
      });
      const attending = options.attend?.({
        workers,
        project,
        domain,
        task,
        workflowId,
        finished: () => finished,
      });
      const [outcome] = await Promise.all([result, attending]);
      return callsOf(outcome);
    },
    async shutdown() {
      await Promise.all(started.map((w) => w.shutdown()));
    },
  };
}

const noop = () => {};
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };
