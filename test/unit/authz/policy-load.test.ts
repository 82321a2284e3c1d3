import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { createAuthorizer } from '../../../src/authz/create-authorizer.ts';
import { buildModel } from '../../../src/authz/dialect/model.ts';
import { loadPolicyDir } from '../../../src/authz/policy-loader.ts';
import { runPolicyTests } from '../../../src/authz/policy-tests/runner.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const POLICY_DIR = path.join(ROOT, 'examples/support-copilot/policies');
const run = promisify(execFile);
const dirs: string[] = [];

function copyPolicies(edit?: { polar?: (s: string) => string; facts?: (s: string) => string }): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'warden-policy-'));
  dirs.push(dir);
  cpSync(POLICY_DIR, dir, { recursive: true });
  const polar = path.join(dir, 'warden.polar');
  const facts = path.join(dir, 'facts.yaml');
  if (edit?.polar) writeFileSync(polar, edit.polar(readFileSync(polar, 'utf8')));
  if (edit?.facts) writeFileSync(facts, edit.facts(readFileSync(facts, 'utf8')));
  return dir;
}

const embedded = (dir: string) =>
  createAuthorizer({
    WARDEN_PDP: 'embedded',
    WARDEN_POLICY_DIR: dir,
    OSO_URL: undefined,
    OSO_AUTH: undefined,
  });

const policyOf = (body: string) => buildModel([{ file: 'p.polar', text: `actor User {}\n${body}` }]);

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('policy tests', () => {
  it('the shipped policy passes every assertion', async () => {
    const { model } = await loadPolicyDir(POLICY_DIR);
    const report = await runPolicyTests(model);
    expect(report.failed).toBe(0);
    expect(report.passed).toBeGreaterThan(30);
    for (const permission of ['invoke', 'invoke_unattended', 'approve', 'read', 'update']) {
      for (const kind of ['assert ', 'assert_not ']) {
        expect(
          report.results.some((r) => r.assertion.startsWith(kind) && r.assertion.includes(`"${permission}"`)),
        ).toBe(true);
      }
    }
  });

  it('fails a deliberately broken copy', async () => {
    // Break the refund cap: unattended refunds up to 1000.
    const dir = copyPolicies({ polar: (s) => s.replace('amount <= 100;', 'amount <= 1000;') });
    const report = await runPolicyTests((await loadPolicyDir(dir)).model);
    expect(report.failed).toBe(1);
    expect(report.results.find((r) => !r.passed)?.test).toBe('a refund above 100 needs approval');
  });

  it('`warden policy test` exits 1 on the broken copy and 0 on the shipped policy', async () => {
    const dir = copyPolicies({ polar: (s) => s.replace('"approve" if global "security";', '') });
    const broken = await run('node', ['bin/warden.js', 'policy', 'test', '--dir', dir], { cwd: ROOT }).catch(
      (e) => e,
    );
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(
      /FAIL {2}approvers: toolset approver and global security › assert allow\(User\{"carol"\}/,
    );
    expect(broken.stdout).toMatch(/\d+ passed, 2 failed/);
    const ok = await run('node', ['bin/warden.js', 'policy', 'test', '--dir', POLICY_DIR], { cwd: ROOT });
    expect(ok.stdout).toMatch(/\d+ passed, 0 failed/);
  }, 60_000);
});

describe('load errors refuse to start', () => {
  it('malformed policy: names the file and line', async () => {
    const dir = copyPolicies({ polar: (s) => s.replace('actor User {}', 'actor User {') });
    await expect(embedded(dir)).rejects.toThrow(/warden\.polar:\d+:\d+: /);
  });

  it('unknown fact predicate in the facts file', async () => {
    const dir = copyPolicies({ facts: (s) => `${s}  - is_vip(User{"alice"})\n` });
    await expect(embedded(dir)).rejects.toThrow(/facts\.yaml.*unknown fact predicate is_vip\/1/);
  });

  it('undeclared role in the facts file', async () => {
    const dir = copyPolicies({
      facts: (s) => `${s}  - has_role(User{"alice"}, "owner", Toolset{"refunds"})\n`,
    });
    await expect(embedded(dir)).rejects.toThrow(/"owner" is not a role of Toolset/);
  });

  it('malformed facts file', async () => {
    const yaml = copyPolicies({ facts: () => 'facts: [unclosed\n' });
    await expect(embedded(yaml)).rejects.toThrow(/facts\.yaml: malformed YAML/);
    const shape = copyPolicies({ facts: () => 'roles:\n  - x\n' });
    await expect(embedded(shape)).rejects.toThrow(/expected a mapping with a "facts" list/);
    const syntax = copyPolicies({ facts: () => 'facts:\n  - has_role(User{alice}, "user", Toolset{"x"})\n' });
    await expect(embedded(syntax)).rejects.toThrow(/facts\[0\].*expected the id of a User literal/);
  });

  it('an assertion on an unknown predicate', () => {
    expect(() => policyOf('allow(_u: User, "x", _r: User);\ntest "t" { assert nope(User{"a"}); }')).toThrow(
      /p\.polar:3:\d+: assertion on unknown predicate nope\/1/,
    );
  });

  it.each([
    [
      'field access',
      'allow(u: User, "read", r: User) if u.name = "x";',
      /p\.polar:2:\d+: unsupported construct: field access/,
    ],
    [
      'lists',
      'allow(u: User, a: String, r: User) if a in ["x"];',
      /p\.polar:2:\d+: unsupported construct: `in`/,
    ],
    ['cut', 'allow(_u: User, "x", _r: User) if cut;', /p\.polar:2:\d+: unsupported construct: `cut`/],
    [
      'arithmetic',
      'allow(_u: User, "x", _r: User) if 1 + 1 = 2;',
      /p\.polar:2:\d+: unsupported construct: arithmetic \(\+\)/,
    ],
    [
      'matches',
      'allow(u, "x", _r: User) if u matches User;',
      /p\.polar:2:\d+: unsupported construct: `matches`/,
    ],
    [
      'iff',
      'allow(_u: User, "x", _r: User);\ntest "t" { assert allow(User{"a"}, "x", User{"b"}) iff true; }',
      /p\.polar:3:\d+: unsupported construct: `iff`/,
    ],
    ['declare', 'declare is_vip(User);', /p\.polar:2:1: unsupported construct: `declare`/],
    [
      'unknown shorthand role',
      'resource Doc { permissions = ["read"]; "read" if "viewer"; }\nallow(_u: User, "x", _r: User);',
      /p\.polar:2:\d+: "viewer" is neither/,
    ],
    ['unknown type', 'allow(_u: User, "x", _r: Folder);', /p\.polar:2:\d+: unknown type Folder/],
    ['no allow rule', 'resource Doc { permissions = ["read"]; }', /defines no allow/],
  ])('refuses %s with its line', (_name, body, message) => {
    expect(() => policyOf(body)).toThrow(message);
  });
});

describe('policy version', () => {
  it('is the same for the same files wherever the directory is, and changes with the text', async () => {
    const here = await loadPolicyDir(POLICY_DIR);
    const copy = await loadPolicyDir(copyPolicies());
    expect(copy.model.version).toBe(here.model.version);
    const edited = await loadPolicyDir(
      copyPolicies({ polar: (s) => `${s}\n# a comment changes the version\n` }),
    );
    expect(edited.model.version).not.toBe(here.model.version);
  });
});
