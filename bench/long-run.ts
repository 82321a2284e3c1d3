/**
 * History growth of a long agent run: a scripted 100-turn conversation (one ticket read a turn),
 * continued as new every `turnsPerRun` turns. Prints the bytes of each execution's history and per
 * turn; Temporal's limits are 2 MB per payload and 50 MB per history.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { stringify } from 'yaml';
import { startAgentRun } from '../src/agents/start-run.ts';
import { loadConfig } from '../src/config/env.ts';
import { loadProject } from '../src/project/load-project.ts';
import { wardenDataConverter } from '../src/temporal/data-converter.ts';
import { resolveTemporal } from '../src/temporal/launcher.ts';
import { freePort } from '../src/temporal/ports.ts';
import { installWorkerLogging } from '../src/workers/runtime-logging.ts';
import { startWardenWorkers } from '../src/workers/warden-workers.ts';
import { EXAMPLE_DIR } from '../test/support/example.ts';
import { record } from './results.ts';

const TURNS = Number(process.env.BENCH_TURNS ?? 100);
const TURNS_PER_RUN = Number(process.env.BENCH_TURNS_PER_RUN ?? 20);

async function main() {
  const scenarioDir = mkdtempSync(path.join(tmpdir(), 'warden-long-run-'));
  const tickets = ['t-501', 't-502', 't-503', 't-504'];
  writeFileSync(
    path.join(scenarioDir, 'hundred-turns.yaml'),
    stringify({
      name: 'hundred-turns',
      title: 'A long conversation',
      description: 'One ticket read per turn.',
      agent: 'long-reader',
      onBehalfOf: 'alice',
      input: 'Read the tickets one by one.',
      turns: [
        ...Array.from({ length: TURNS - 1 }, (_, i) => ({
          calls: [{ tool: 'ticket.get', arguments: { ticketId: tickets[i % tickets.length] } }],
        })),
        { message: 'Done reading.' },
      ],
    }),
  );
  // The example's long-conversation project (examples/support-copilot/bench/warden.config.ts).
  const project = { ...(await loadProject({ config: path.join(EXAMPLE_DIR, 'bench') })), scenarioDir };
  const config = loadConfig(
    { ...process.env, TEMPORAL_ADDRESS: undefined, WARDEN_TASK_QUEUE: `long-${randomUUID().slice(0, 8)}` },
    { policyDir: project.policyDir },
  );
  installWorkerLogging();
  const endpoint = await resolveTemporal(config, {
    log: console.error,
    ephemeral: { port: await freePort() },
  });
  const workers = await startWardenWorkers({ config, endpoint, project });
  const connection = await Connection.connect({ address: endpoint.address });
  const client = new Client({
    connection,
    namespace: endpoint.namespace,
    dataConverter: await wardenDataConverter(config),
  });
  const started = performance.now();
  const handle = await startAgentRun(client, {
    agent: 'long-reader',
    onBehalfOf: 'alice',
    input: 'Read the tickets one by one.',
    scenario: 'hundred-turns',
    taskQueue: config.WARDEN_TASK_QUEUE,
    limits: { turnsPerRun: TURNS_PER_RUN },
  });
  const result = await handle.result();
  const elapsed = performance.now() - started;
  console.log(
    `long run: ${result.turns} turns, ${result.executions} executions (turnsPerRun ${TURNS_PER_RUN}), ${result.status}, ${(elapsed / 1000).toFixed(1)} s`,
  );
  let largest = 0;
  let total = 0;
  for await (const execution of client.workflow.list({ query: `WorkflowId = "${handle.workflowId}"` })) {
    const history = await client.workflow.getHandle(handle.workflowId, execution.runId).fetchHistory();
    const bytes = Buffer.byteLength(historyToJSON(history));
    largest = Math.max(largest, bytes);
    total += bytes;
    console.log(
      `  execution ${execution.runId.slice(0, 8)}: ${(bytes / 1024).toFixed(0)} KiB, ${history.events?.length ?? 0} events`,
    );
  }
  console.log(
    `  largest execution ${(largest / 1024 / 1024).toFixed(2)} MiB (limit 50 MiB), ${(total / result.turns / 1024).toFixed(1)} KiB of history per turn`,
  );
  const params = { turns: result.turns, turnsPerRun: TURNS_PER_RUN };
  record({
    bench: 'long-run',
    name: 'history per turn',
    value: total / result.turns / 1024,
    unit: 'KiB',
    params,
  });
  record({
    bench: 'long-run',
    name: 'largest execution history',
    value: largest / 1024 / 1024,
    unit: 'MiB',
    params,
  });
  await workers.shutdown();
  await connection.close();
  await endpoint.stop();
}

await main();
