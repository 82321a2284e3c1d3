import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/env.ts';
import { loadProject, ProjectConfigError } from '../../../src/project/load-project.ts';
import {
  DEFAULT_WORKFLOW_THREADS,
  parseWorkflowThreads,
  resolveWorkflowThreads,
  WorkflowThreadsSettingError,
} from '../../../src/workers/workflow-threads.ts';
import { workerConfigWriter } from '../../support/worker-config.ts';

describe('the threads a workflow worker runs workflow code on', () => {
  it('takes the environment over the project, and the project over the default', () => {
    expect(resolveWorkflowThreads(undefined)).toBe(DEFAULT_WORKFLOW_THREADS);
    expect(resolveWorkflowThreads(3, { workflowThreads: 2 })).toBe(3);
    expect(resolveWorkflowThreads(undefined, { workflowThreads: 2 })).toBe(2);
    expect(loadConfig({ WARDEN_WORKFLOW_THREADS: ' 2 ' }).WARDEN_WORKFLOW_THREADS).toBe(2);
    expect(loadConfig({ WARDEN_WORKFLOW_THREADS: '' }).WARDEN_WORKFLOW_THREADS).toBeUndefined();
  });

  it.each(['0', '17', '-1', '1e1', '2 threads', '1.5', 'NaN', '999'])(
    'refuses WARDEN_WORKFLOW_THREADS=%s with a message naming the variable',
    (text) => {
      expect('problem' in parseWorkflowThreads(text)).toBe(true);
      expect(() => loadConfig({ WARDEN_WORKFLOW_THREADS: text })).toThrow(ConfigError);
      expect(() => loadConfig({ WARDEN_WORKFLOW_THREADS: text })).toThrow(/WARDEN_WORKFLOW_THREADS/);
    },
  );

  it.each([0, 17, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses a project setting of %s', (value) => {
    expect(() => resolveWorkflowThreads(undefined, { workflowThreads: value })).toThrow(
      WorkflowThreadsSettingError,
    );
  });

  it('reads worker.workflowThreads from a project config and refuses a bad one by file', async () => {
    const write = workerConfigWriter('warden-threads-config-');
    expect((await loadProject({ config: write({ workflowThreads: 2 }) })).worker).toEqual({
      workflowThreads: 2,
    });
    await expect(loadProject({ config: write({ workflowThreads: '2' }) })).rejects.toThrow(
      ProjectConfigError,
    );
    await expect(loadProject({ config: write({ workflowThreads: 0 }) })).rejects.toThrow(
      /warden\.config\.json: worker\.workflowThreads must be between 1 and 16/,
    );
  });
});
