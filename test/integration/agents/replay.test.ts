import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { type ReplayResult, Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { describe, expect, it } from 'vitest';
import { boundWorkflowId } from '../../../src/audit/decode-history.ts';
import { replayHistory } from '../../../src/audit/replay-run.ts';
import { recordedWorkflowTracing } from '../../../src/telemetry/history-tracing.ts';
import { workerTracingOptions } from '../../../src/telemetry/tracing.ts';
import { wardenDataConverter } from '../../../src/temporal/data-converter.ts';
import { generateKeyEntry } from '../../../src/temporal/payload-keys.ts';
import { TRACING_INTERCEPTORS, workflowBundlerOptions } from '../../../src/workers/workflow-bundle.ts';
import { EXAMPLE_WORKFLOWS } from '../../support/example.ts';

/** Recorded before payload encryption: plaintext, read unchanged by the codec. */
const HISTORIES = fileURLToPath(new URL('../../histories', import.meta.url));
/** Recorded with the codec, under the test-only key stored next to them. */
const ENCRYPTED_HISTORIES = path.join(HISTORIES, 'encrypted');
const TEST_KEY_FILE = path.join(ENCRYPTED_HISTORIES, 'payload-keys');
const CHANGED_WORKFLOWS = fileURLToPath(new URL('./fixtures/changed-workflows.ts', import.meta.url));
const REFUSAL_TRIPWIRE = fileURLToPath(new URL('./fixtures/refusal-tripwire.ts', import.meta.url));

function recordedHistories(dir = HISTORIES) {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => {
      const history = historyFromJSON(JSON.parse(readFileSync(path.join(dir, file), 'utf8')));
      // Encrypted payloads are bound to the id they were written for: replay under that id.
      return { workflowId: boundWorkflowId(history) ?? path.basename(file, '.json'), history };
    });
}

const keyConfig = (keys: { WARDEN_PAYLOAD_KEYS?: string; WARDEN_PAYLOAD_KEY_FILE?: string }) => ({
  WARDEN_MODE: 'production' as const,
  WARDEN_DATA_DIR: '/nonexistent',
  WARDEN_PAYLOAD_KEYS: undefined,
  WARDEN_PAYLOAD_KEY_FILE: undefined,
  ...keys,
});

async function replayAll(
  workflowsPath: string,
  dir = HISTORIES,
  keys: Parameters<typeof keyConfig>[0] = { WARDEN_PAYLOAD_KEY_FILE: TEST_KEY_FILE },
  extraInterceptors: string[] = [],
  tracingInterceptors: string[] = [TRACING_INTERCEPTORS],
): Promise<ReplayResult[]> {
  const results: ReplayResult[] = [];
  // The workers' data converter: the codec decrypts what is encrypted and passes plaintext through.
  const dataConverter = await wardenDataConverter(keyConfig(keys));
  const replay = Worker.runReplayHistories(
    {
      workflowsPath,
      bundlerOptions: workflowBundlerOptions,
      // By default with the tracing interceptors: what the workers that recorded most of these ran.
      interceptors: { workflowModules: [...tracingInterceptors, ...extraInterceptors] },
      ...workerTracingOptions(undefined),
      replayName: 'warden-replay-test',
      dataConverter,
    },
    recordedHistories(dir),
  );
  for await (const result of replay) results.push(result);
  return results;
}

describe("recorded agent runs replay against the example's current workflow code", () => {
  it('has the demo runs on record', () => {
    expect(recordedHistories().map((h) => h.workflowId)).toEqual(
      expect.arrayContaining(['benign-ticket', 'refund-under-limit', 'refund-over-limit', 'injected-export']),
    );
  });

  it('replays every recorded history without a determinism error', async () => {
    const results = await replayAll(EXAMPLE_WORKFLOWS);
    expect(results.length).toBe(recordedHistories().length);
    for (const result of results)
      expect({ id: result.workflowId, error: result.error }).toEqual({
        id: result.workflowId,
        error: undefined,
      });
  });

  it('replays every history recorded with encrypted payloads, with the key they were written under', async () => {
    const histories = recordedHistories(ENCRYPTED_HISTORIES);
    expect(histories.map((h) => h.workflowId)).toEqual(
      expect.arrayContaining([
        'recorded-benign-ticket',
        'recorded-refund-over-limit',
        'recorded-injected-export',
      ]),
    );
    const results = await replayAll(EXAMPLE_WORKFLOWS, ENCRYPTED_HISTORIES);
    expect(results.length).toBe(histories.length);
    for (const result of results)
      expect({ id: result.workflowId, error: result.error }).toEqual({
        id: result.workflowId,
        error: undefined,
      });
  });

  it('takes every recorded decision and result on the signatures it was recorded with: none refused', async () => {
    const histories = recordedHistories(ENCRYPTED_HISTORIES);
    // Recorded under the marker before one signature per executed call: two signatures each.
    expect(histories.map((h) => h.workflowId)).toContain('recorded-filtered-search');
    const results = await replayAll(
      EXAMPLE_WORKFLOWS,
      ENCRYPTED_HISTORIES,
      { WARDEN_PAYLOAD_KEY_FILE: TEST_KEY_FILE },
      [REFUSAL_TRIPWIRE],
    );
    expect(results.length).toBe(histories.length);
    for (const result of results)
      expect({ id: result.workflowId, error: result.error }).toEqual({
        id: result.workflowId,
        error: undefined,
      });
  });

  it('cannot replay the encrypted histories without their key', async () => {
    const results = await replayAll(EXAMPLE_WORKFLOWS, ENCRYPTED_HISTORIES, {
      WARDEN_PAYLOAD_KEYS: generateKeyEntry('test-k1'),
    });
    expect(results.length).toBeGreaterThan(0);
    // The workflow task fails on the undecryptable input; its own failure message is encoded too.
    for (const result of results) {
      expect(result.error).toBeDefined();
      expect(String(result.error)).toMatch(/Encoded failure|failed authentication/);
    }
  });

  it('replays a history recorded without the tracing interceptors both ways', async () => {
    const untraced = recordedHistories(ENCRYPTED_HISTORIES).filter((h) =>
      h.workflowId.startsWith('recorded-untraced-'),
    );
    // Recorded by the example's workers, whose project does not trace workflows; one paused for approval.
    expect(untraced.map((h) => h.workflowId)).toEqual(
      expect.arrayContaining(['recorded-untraced-benign-ticket', 'recorded-untraced-refund-over-limit']),
    );
    for (const { history } of untraced) expect(recordedWorkflowTracing(history)?.traceWorkflows).toBe(false);
    for (const tracing of [[TRACING_INTERCEPTORS], []]) {
      const results = await replayAll(EXAMPLE_WORKFLOWS, ENCRYPTED_HISTORIES, undefined, [], tracing);
      for (const result of results.filter((r) => r.workflowId.startsWith('recorded-untraced-')))
        expect({ id: result.workflowId, error: result.error }).toEqual({
          id: result.workflowId,
          error: undefined,
        });
    }
  });

  it('cannot replay a run that took an approval Update with the interceptors without them: workflow tracing is workflow code', async () => {
    const expected: Array<{ id: string; diverges: boolean }> = [];
    const actual: Array<{ id: string; diverges: boolean }> = [];
    for (const dir of [HISTORIES, ENCRYPTED_HISTORIES]) {
      const histories = recordedHistories(dir);
      const results = await replayAll(EXAMPLE_WORKFLOWS, dir, undefined, [], []);
      expect(results.length).toBe(histories.length);
      for (const [i, result] of results.entries()) {
        const { history, workflowId } = histories[i] as (typeof histories)[number];
        expect(result.workflowId).toBe(workflowId);
        const traced = recordedWorkflowTracing(history)?.traceWorkflows === true;
        // The interceptors' extra step around an Update's handler (SDK flag InstrumentsAllMethods)
        // orders its completion against the approval's timer: without them the commands differ.
        const updated = history.events?.some((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
        expected.push({ id: `${path.basename(dir)}/${workflowId}`, diverges: traced && updated === true });
        actual.push({ id: `${path.basename(dir)}/${workflowId}`, diverges: result.error !== undefined });
        if (result.error !== undefined) expect(result.error).toBeInstanceOf(DeterminismViolationError);
      }
    }
    expect(actual).toEqual(expected);
    // Both kinds are on record: histories that replay either way, and traced ones that diverge.
    expect(actual.filter((r) => r.diverges).length).toBeGreaterThan(0);
    expect(actual.filter((r) => !r.diverges).length).toBeGreaterThan(0);
  });

  it('warden replay bundles each history the way its deployment did, whatever the project says', async () => {
    const dataConverter = await wardenDataConverter(keyConfig({ WARDEN_PAYLOAD_KEY_FILE: TEST_KEY_FILE }));
    const byId = new Map(recordedHistories(ENCRYPTED_HISTORIES).map((h) => [h.workflowId, h.history]));
    const replay = (id: string, code: Parameters<typeof replayHistory>[4]) =>
      replayHistory(byId.get(id) ?? {}, id, EXAMPLE_WORKFLOWS, dataConverter, code);
    // Recorded with the interceptors, paused for approval: it diverges without them (see above).
    const traced = 'recorded-guard-patches-refund-over-limit';
    const untraced = 'recorded-untraced-refund-over-limit';
    for (const projectTracesWorkflows of [false, true]) {
      expect(await replay(traced, { projectTracesWorkflows })).toMatchObject({
        ok: true,
        workflowTracing: { traceWorkflows: true, from: 'sdk-flag' },
      });
      expect(await replay(untraced, { projectTracesWorkflows })).toMatchObject({
        ok: true,
        workflowTracing: { traceWorkflows: false, from: 'none-recorded' },
      });
    }
    // Asked to bundle otherwise: would turning workflow tracing off break this run in flight? Yes.
    expect(await replay(traced, { projectTracesWorkflows: false, traceWorkflows: false })).toMatchObject({
      ok: false,
      nondeterminism: true,
      workflowTracing: { traceWorkflows: false, from: 'asked' },
    });
    expect(await replay(untraced, { projectTracesWorkflows: false, traceWorkflows: true })).toMatchObject({
      ok: true,
      workflowTracing: { traceWorkflows: true, from: 'asked' },
    });
  });

  it('fails a workflow change that issues different commands', async () => {
    const results = await replayAll(CHANGED_WORKFLOWS);
    expect(results.length).toBeGreaterThan(0);
    for (const result of results) expect(result.error).toBeInstanceOf(DeterminismViolationError);
  });
});
