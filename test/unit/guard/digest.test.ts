import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveApprovalSecret } from '../../../src/approvals/approval-secret.ts';
import { approvalDigest, canonicalJson } from '../../../src/approvals/digest.ts';
import { loadConfig } from '../../../src/config/env.ts';

const base = {
  tool: 'crm.issue_refund',
  toolVersion: '1',
  arguments: { customerId: 'c-1001', amount: 250, currency: 'EUR' },
  workflowId: 'wf',
  runId: 'run',
  callId: 'c1',
  policyVersion: 'v1',
};

describe('approval digest and grant secret', () => {
  it('is canonical: key order does not matter, every covered field does', () => {
    const reordered = { ...base, arguments: { currency: 'EUR', amount: 250, customerId: 'c-1001' } };
    expect(approvalDigest(reordered)).toBe(approvalDigest(base));
    expect(approvalDigest(base)).toMatch(/^sha256:[0-9a-f]{64}$/);
    for (const change of [
      { toolVersion: '2' },
      { arguments: { ...base.arguments, amount: 250.01 } },
      { runId: 'run2' },
      { callId: 'c2' },
      { policyVersion: 'v2' },
    ]) {
      expect(approvalDigest({ ...base, ...change })).not.toBe(approvalDigest(base));
    }
    expect(canonicalJson({ b: 1, a: [1, 'x'] })).toBe('{"a":[1,"x"],"b":1}');
  });

  it('creates one development secret per data directory (0600) and requires one in production', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'warden-secret-'));
    const dev = loadConfig({ WARDEN_DATA_DIR: dir });
    const first = await resolveApprovalSecret(dev);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(await resolveApprovalSecret(dev)).toBe(first);
    expect((await readFile(path.join(dir, 'approval-secret'), 'utf8')).trim()).toBe(first);
    expect((await stat(path.join(dir, 'approval-secret'))).mode & 0o777).toBe(0o600);
    await expect(
      resolveApprovalSecret(loadConfig({ WARDEN_DATA_DIR: dir, WARDEN_MODE: 'production' })),
    ).rejects.toThrow(/needs WARDEN_APPROVAL_SECRET/);
    await expect(resolveApprovalSecret(loadConfig({ WARDEN_APPROVAL_SECRET: 'short' }))).rejects.toThrow(
      /at least 32/,
    );
  });
});
