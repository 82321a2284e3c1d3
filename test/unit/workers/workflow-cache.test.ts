import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/env.ts';
import { loadProject, ProjectConfigError } from '../../../src/project/load-project.ts';
import {
  DEFAULT_MAX_CACHED_WORKFLOWS,
  parseCacheSize,
  resolveMaxCachedWorkflows,
  WorkflowCacheSettingError,
} from '../../../src/workers/workflow-cache.ts';
import { workerConfigWriter } from '../../support/worker-config.ts';

describe('the sticky cache size', () => {
  it('is bounded by default, below the SDK heap-sized default that let paused runs take gigabytes', () => {
    expect(resolveMaxCachedWorkflows(undefined)).toBe(DEFAULT_MAX_CACHED_WORKFLOWS);
    expect(DEFAULT_MAX_CACHED_WORKFLOWS).toBeGreaterThanOrEqual(2);
    expect(DEFAULT_MAX_CACHED_WORKFLOWS).toBeLessThanOrEqual(1_000);
  });

  it('takes the environment over the project, and the project over the default', () => {
    expect(resolveMaxCachedWorkflows(40, { maxCachedWorkflows: 500 })).toBe(40);
    expect(resolveMaxCachedWorkflows(undefined, { maxCachedWorkflows: 500 })).toBe(500);
    expect(resolveMaxCachedWorkflows(0, { maxCachedWorkflows: 500 })).toBe(0);
    expect(loadConfig({ WARDEN_MAX_CACHED_WORKFLOWS: ' 120 ' }).WARDEN_MAX_CACHED_WORKFLOWS).toBe(120);
    expect(loadConfig({ WARDEN_MAX_CACHED_WORKFLOWS: '' }).WARDEN_MAX_CACHED_WORKFLOWS).toBeUndefined();
    expect(loadConfig({}).WARDEN_MAX_CACHED_WORKFLOWS).toBeUndefined();
  });

  it.each(['1', '-5', '-0', '1e3', '0x10', '250 runs', '2.5', 'Infinity', 'NaN', '99999999'])(
    'refuses WARDEN_MAX_CACHED_WORKFLOWS=%s with a message naming the variable',
    (text) => {
      expect('problem' in parseCacheSize(text)).toBe(true);
      expect(() => loadConfig({ WARDEN_MAX_CACHED_WORKFLOWS: text })).toThrow(ConfigError);
      expect(() => loadConfig({ WARDEN_MAX_CACHED_WORKFLOWS: text })).toThrow(/WARDEN_MAX_CACHED_WORKFLOWS/);
    },
  );

  it.each([1, -1, 2.5, Number.NaN, Number.POSITIVE_INFINITY, 2_000_000])(
    'refuses a project setting of %s (the SDK would quietly turn 1 into 2)',
    (value) => {
      expect(() => resolveMaxCachedWorkflows(undefined, { maxCachedWorkflows: value })).toThrow(
        WorkflowCacheSettingError,
      );
    },
  );

  it('reads worker.maxCachedWorkflows from a project config and refuses a bad one by file', async () => {
    const write = workerConfigWriter('warden-cache-config-');
    expect((await loadProject({ config: write({ maxCachedWorkflows: 64 }) })).worker).toEqual({
      maxCachedWorkflows: 64,
    });
    for (const bad of [
      { maxCachedWorkflows: '64' },
      { maxCachedWorkflows: 1 },
      { maxCached: 64 },
      [64],
      'big',
    ]) {
      await expect(loadProject({ config: write(bad) })).rejects.toThrow(ProjectConfigError);
    }
    await expect(loadProject({ config: write({ maxCachedWorkflows: -3 }) })).rejects.toThrow(
      /warden\.config\.json: worker\.maxCachedWorkflows must be 0 \(no cache\) or at least 2/,
    );
  });
});
