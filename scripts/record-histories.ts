/**
 * Records the histories that `test/integration/agents/replay.test.ts` replays: the demo scenarios
 * (and the malformed-call and handoff-with-approval scenarios) run once on a throw-away Temporal
 * server, each history written to test/histories/encrypted/<scenario>.json, its payloads encrypted
 * with the test-only key in that directory. Run it when a workflow change is meant to be incompatible
 * and the old histories are retired: `npx tsx --conditions=warden-source scripts/record-histories.ts`.
 * RECORD_SCENARIOS (comma-separated) records only those; RECORD_PREFIX names the files and runs
 * `<prefix><scenario>`, to keep a new set next to the old ones. The workers bundle the example's
 * workflow code as its warden.config.ts says (its `tracing.workflows`).
 * The plaintext histories in test/histories were recorded before payload encryption and stay as they
 * are: the codec reads them unchanged.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { startAgentRun } from '../src/agents/start-run.ts';
import { ApproverAuthenticator } from '../src/approvals/auth/authenticate.ts';
import { loadConfig } from '../src/config/env.ts';
import { loadScenario } from '../src/models/scripted/load-scenarios.ts';
import { loadProject } from '../src/project/load-project.ts';
import { connectClient, createClient } from '../src/temporal/connection.ts';
import { wardenDataConverter } from '../src/temporal/data-converter.ts';
import { resolveTemporal } from '../src/temporal/launcher.ts';
import { freePort } from '../src/temporal/ports.ts';
import { TemporalApprovalsBackend } from '../src/web/temporal-backend.ts';
import { startWardenWorkers } from '../src/workers/warden-workers.ts';
import { pendingApprovalsQuery } from '../src/workflows/guard/definitions.ts';

const OUT_DIR = fileURLToPath(new URL('../test/histories/encrypted', import.meta.url));
const project = await loadProject({
  config: fileURLToPath(new URL('../examples/support-copilot', import.meta.url)),
});
const SCENARIOS = process.env.RECORD_SCENARIOS
  ? process.env.RECORD_SCENARIOS.split(',').map((name) => name.trim())
  : [...(project.demo?.scenarios ?? []), 'malformed-tool-calls', 'handoff-refund-over-limit'];
const PREFIX = process.env.RECORD_PREFIX ?? '';

const config = loadConfig(
  {
    ...process.env,
    TEMPORAL_ADDRESS: undefined,
    WARDEN_MODEL: 'scripted',
    WARDEN_MODE: 'development',
    WARDEN_TASK_QUEUE: 'warden-recording',
    WARDEN_DATA_DIR: await mkdtemp(path.join(os.tmpdir(), 'warden-record-')),
    WARDEN_PAYLOAD_KEYS: undefined,
    WARDEN_PAYLOAD_KEY_FILE: path.join(OUT_DIR, 'payload-keys'),
  },
  { policyDir: project.policyDir },
);
const endpoint = await resolveTemporal(config, { log: console.log, ephemeral: { port: await freePort() } });
const workers = await startWardenWorkers({ config, endpoint, project });
const connection = await connectClient(config, endpoint.address);
try {
  const client = createClient(connection, endpoint.namespace, await wardenDataConverter(config));
  const approvals = new TemporalApprovalsBackend(client, config, {
    authorizer: workers.authorizer,
    tools: project.tools,
  });
  const bob = ApproverAuthenticator.fromConfig(config).authenticate({ as: 'User:bob' });
  await mkdir(OUT_DIR, { recursive: true });
  for (const name of SCENARIOS) {
    const scenario = loadScenario(name, project.scenarioDir);
    const handle = await startAgentRun(client, {
      agent: scenario.agent,
      onBehalfOf: scenario.onBehalfOf,
      input: scenario.input,
      scenario: name,
      taskQueue: workers.taskQueue,
      workflowId: `recorded-${PREFIX}${name}`,
    });
    let finished = false;
    const result = handle.result().finally(() => {
      finished = true;
    });
    while (!finished) {
      const [pending] = await handle.query(pendingApprovalsQuery);
      if (pending) {
        await approvals.decide(bob, {
          workflowId: handle.workflowId,
          callId: pending.callId,
          approve: true,
          reason: 'recorded',
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const { status } = await result;
    const json = historyToJSON(await handle.fetchHistory());
    const file = path.join(OUT_DIR, `${PREFIX}${name}.json`);
    await writeFile(file, `${json}\n`);
    console.log(
      `${name}: ${status}, ${(json.length / 1024).toFixed(1)} KiB → ${path.relative(process.cwd(), file)}`,
    );
  }
} finally {
  await connection.close();
  await workers.shutdown();
  await endpoint.stop();
}
