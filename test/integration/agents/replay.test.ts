import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { type ReplayResult, Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { describe, expect, it } from 'vitest';
import { workflowBundlerOptions } from '../../../src/workers/workflow-bundle.ts';
import { EXAMPLE_WORKFLOWS } from '../../support/example.ts';

const HISTORIES = fileURLToPath(new URL('../../histories', import.meta.url));
const CHANGED_WORKFLOWS = fileURLToPath(new URL('./fixtures/changed-workflows.ts', import.meta.url));

function recordedHistories() {
  return readdirSync(HISTORIES)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({
      workflowId: path.basename(file, '.json'),
      history: historyFromJSON(JSON.parse(readFileSync(path.join(HISTORIES, file), 'utf8'))),
    }));
}

async function replayAll(workflowsPath: string): Promise<ReplayResult[]> {
  const results: ReplayResult[] = [];
  const replay = Worker.runReplayHistories(
    { workflowsPath, bundlerOptions: workflowBundlerOptions, replayName: 'warden-replay-test' },
    recordedHistories(),
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

  it('fails a workflow change that issues different commands', async () => {
    const results = await replayAll(CHANGED_WORKFLOWS);
    expect(results.length).toBeGreaterThan(0);
    for (const result of results) expect(result.error).toBeInstanceOf(DeterminismViolationError);
  });
});
