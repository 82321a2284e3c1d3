import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/env.ts';
import { loadProject, ProjectConfigError } from '../../../src/project/load-project.ts';
import {
  DEFAULT_WORKFLOW_HEAP,
  resolveWorkflowHeap,
  WorkflowHeapSettingError,
  workflowHeapFlags,
} from '../../../src/workers/workflow-heap.ts';
import { workerConfigWriter } from '../../support/worker-config.ts';

const HEAP_MODULE = fileURLToPath(new URL('../../../src/workers/workflow-heap.ts', import.meta.url));

/**
 * In a fresh Node process (its flags are its own): applies the setting as startWorker does, then
 * starts a thread, as the SDK starts its workflow thread, that allocates short-lived garbage, and
 * reports the young generation the thread's heap grew to.
 */
function threadNewSpaceMiB(setting: string, nodeFlags: string[] = []): number {
  const script = `
    import { Worker } from 'node:worker_threads';
    const { applyWorkflowHeap } = await import(${JSON.stringify(HEAP_MODULE)});
    applyWorkflowHeap(${JSON.stringify(setting)});
    const churn = \`
      const v8 = process.getBuiltinModule('node:v8');
      let keep = [];
      for (let i = 0; i < 3e6; i++) { keep.push({ i, s: 'x' + i }); if (keep.length > 2e5) keep = []; }
      const space = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
      process.getBuiltinModule('node:worker_threads').parentPort.postMessage(space.space_size);
    \`;
    const size = await new Promise((resolve, reject) => {
      const thread = new Worker(churn, { eval: true });
      thread.once('message', resolve);
      thread.once('error', reject);
    });
    process.stdout.write(String(size / 2 ** 20));
  `;
  const output = execFileSync(
    process.execPath,
    [...nodeFlags, '--import', 'tsx', '--input-type=module', '-e', script],
    { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' }, timeout: 60_000 },
  );
  return Number(output.trim());
}

describe("the workflow thread's heap", () => {
  it('is bounded by default, with flags that size the heap and never limit it', () => {
    expect(DEFAULT_WORKFLOW_HEAP).toBe('bounded');
    expect(resolveWorkflowHeap(undefined)).toBe('bounded');
    const flags = workflowHeapFlags('bounded', []);
    expect(flags).toEqual(['--max-semi-space-size=16', '--heap-growing-percent=50']);
    // A heap limit would crash a worker whose cached runs need more; these only change the sizing.
    expect(flags.join(' ')).not.toMatch(/max-old-space-size|max-heap-size/);
    expect(workflowHeapFlags('node', [])).toEqual([]);
  });

  it('leaves a flag the process was started with as given, in either spelling', () => {
    expect(workflowHeapFlags('bounded', ['--max-semi-space-size=64'])).toEqual(['--heap-growing-percent=50']);
    expect(workflowHeapFlags('bounded', ['--max_semi_space_size=64', '--heap_growing_percent=20'])).toEqual(
      [],
    );
    expect(workflowHeapFlags('bounded', ['--conditions=warden-source', '--import', 'tsx'])).toHaveLength(2);
  });

  it('takes the environment over the project, and the project over the default', () => {
    expect(resolveWorkflowHeap('node', { workflowHeap: 'bounded' })).toBe('node');
    expect(resolveWorkflowHeap(undefined, { workflowHeap: 'node' })).toBe('node');
    expect(loadConfig({ WARDEN_WORKFLOW_HEAP: ' node ' }).WARDEN_WORKFLOW_HEAP).toBe('node');
    expect(loadConfig({ WARDEN_WORKFLOW_HEAP: '' }).WARDEN_WORKFLOW_HEAP).toBeUndefined();
    for (const bad of ['Node', 'unbounded', '512', '--max-old-space-size=99999']) {
      expect(() => loadConfig({ WARDEN_WORKFLOW_HEAP: bad })).toThrow(ConfigError);
      expect(() => loadConfig({ WARDEN_WORKFLOW_HEAP: bad })).toThrow(/WARDEN_WORKFLOW_HEAP/);
    }
    expect(() => resolveWorkflowHeap(undefined, { workflowHeap: 'huge' as never })).toThrow(
      WorkflowHeapSettingError,
    );
  });

  it('reads worker.workflowHeap from a project config and refuses a bad one by file', async () => {
    const write = workerConfigWriter('warden-heap-config-');
    expect(
      (await loadProject({ config: write({ workflowHeap: 'node', maxCachedWorkflows: 50 }) })).worker,
    ).toEqual({ workflowHeap: 'node', maxCachedWorkflows: 50 });
    for (const bad of [{ workflowHeap: 'v8' }, { workflowHeap: 512 }, { workflowHeap: { semiSpace: 1 } }]) {
      await expect(loadProject({ config: write(bad) })).rejects.toThrow(ProjectConfigError);
    }
    await expect(loadProject({ config: write({ workflowHeap: false }) })).rejects.toThrow(
      /warden\.config\.json: worker\.workflowHeap must be "bounded" or "node"/,
    );
  });

  it("bounds the young generation of a thread started after it, as the SDK's workflow thread is", () => {
    const bounded = threadNewSpaceMiB('bounded');
    const node = threadNewSpaceMiB('node');
    // V8's own sizing grows the young generation to 64 MiB semi-spaces under this churn.
    expect(node).toBeGreaterThan(64);
    expect(bounded).toBeLessThanOrEqual(32);
    // A flag given on the command line wins over the bounded default: 8 MiB semi-spaces are a new
    // space of about 16 MiB (V8 may count a page or two more), half of the bounded default's.
    const flagged = threadNewSpaceMiB('bounded', ['--max-semi-space-size=8']);
    expect(flagged).toBeLessThanOrEqual(20);
    expect(flagged).toBeLessThan(bounded);
  });
});
