import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex } from '@noble/curves/utils.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { filterResults } from '../../../src/activities/guard/filter-results.ts';
import { createAuthorizer } from '../../../src/authz/create-authorizer.ts';
import type { Authorizer } from '../../../src/authz/types.ts';
import { resultSignatureProblem } from '../../../src/guard/tool-result-signature.ts';
import { defineTool, type ResultRecords } from '../../../src/tools/define-tool.ts';
import { resultSigner } from '../../../src/zones/result-signer.ts';
import { EXAMPLE_POLICY_DIR } from '../../support/example.ts';

const who = { agent: { type: 'Agent', id: 'support-bot' }, onBehalfOf: { type: 'User', id: 'alice' } };

const listing = (results: ResultRecords) =>
  defineTool({
    name: 'test.list',
    description: 'lists',
    parameters: z.strictObject({}),
    risk: 'low',
    results,
    async execute() {
      return [];
    },
  });

/** Outputs a compromised or confused service could return: crafted ids, shapes and prototypes. */
describe('filtering tool output on the worker (real Polar, the demo policy)', () => {
  let authorizer: Authorizer;
  beforeAll(async () => {
    authorizer = await createAuthorizer({
      WARDEN_PDP: 'embedded',
      WARDEN_POLICY_DIR: EXAMPLE_POLICY_DIR,
      OSO_URL: undefined,
      OSO_AUTH: undefined,
    });
  });
  afterAll(async () => {
    await authorizer?.close();
  });

  it('removes records without a usable id: missing, numeric, empty, inherited, non-objects', async () => {
    const inherited = Object.create({ id: 'c-1001' }) as object;
    const tool = listing({ type: 'Customer', idField: 'id' });
    const output = [
      { id: 'c-1001', name: 'kept' },
      { name: 'no id' },
      { id: 1001 },
      { id: '' },
      inherited,
      'c-1002',
      null,
      [{ id: 'c-1002' }],
      { id: 'c-1002', name: 'kept too' },
      { id: 'c-2001', name: 'globex' },
      { id: 'c-1001 or 1=1' },
    ];
    const { output: kept, filtered } = await filterResults(authorizer, who, tool, output);
    expect(kept).toEqual([
      { id: 'c-1001', name: 'kept' },
      { id: 'c-1002', name: 'kept too' },
    ]);
    expect(filtered).toMatchObject({ checked: 11, removed: 9, resourceType: 'Customer', action: 'read' });
  });

  it('filters an array nested in the output and keeps the rest of the output', async () => {
    const tool = listing({ type: 'Customer', idField: 'id', path: ['page', 'items'] });
    const output = { total: 2, page: { items: [{ id: 'c-2001' }, { id: 'c-1002' }], next: null } };
    const { output: kept, filtered } = await filterResults(authorizer, who, tool, output);
    expect(kept).toEqual({ total: 2, page: { items: [{ id: 'c-1002' }], next: null } });
    expect(filtered?.removed).toBe(1);
    // The tool's own output object is not changed in place.
    expect(output.page.items).toHaveLength(2);
  });

  it('withholds an output that has no record list where the tool declared one (fail closed)', async () => {
    const nested = listing({ type: 'Customer', idField: 'id', path: ['items'] });
    const top = listing({ type: 'Customer', idField: 'id' });
    const inheritedItems = Object.create({ items: [{ id: 'c-1001' }] }) as object;
    await expect(filterResults(authorizer, who, nested, { items: { id: 'c-2001' } })).rejects.toThrow(
      /no record list at items; withheld/,
    );
    await expect(filterResults(authorizer, who, nested, inheritedItems)).rejects.toThrow(/withheld/);
    await expect(filterResults(authorizer, who, nested, null)).rejects.toThrow(/withheld/);
    await expect(filterResults(authorizer, who, top, { id: 'c-2001' })).rejects.toThrow(
      /no record list at the top level/,
    );
  });

  it('checks the declared action: update on tickets is alice’s only where she is the assignee', async () => {
    await authorizer.insertFacts([
      ['has_relation', { type: 'Ticket', id: 't-900' }, 'customer', { type: 'Customer', id: 'c-1001' }],
    ]);
    const tool = listing({ type: 'Ticket', idField: 'id', action: 'update' });
    const { output, filtered } = await filterResults(authorizer, who, tool, [
      { id: 't-501' },
      { id: 't-900' },
    ]);
    expect(output).toEqual([{ id: 't-501' }]);
    expect(filtered).toMatchObject({ action: 'update', removed: 1 });
  });

  it('passes an output through untouched for a tool that declares no results', async () => {
    const plain = defineTool({
      name: 'test.get',
      description: 'gets',
      parameters: z.strictObject({}),
      risk: 'low',
      async execute() {
        return {};
      },
    });
    const output = [{ id: 'c-2001' }];
    expect(await filterResults(authorizer, who, plain, output)).toEqual({ output });
  });

  it('the removed count is signed: a result whose count was changed is refused', () => {
    const secret = bytesToHex(ed25519.utils.randomSecretKey());
    const publicKey = bytesToHex(ed25519.getPublicKey(Buffer.from(secret, 'hex')));
    const claim = {
      zone: 'default',
      workflowId: 'w',
      runId: 'r',
      callId: 'c',
      tool: 'crm.search_customers',
      arguments: { query: 'romero' },
      ...who,
      output: [{ id: 'c-1002' }],
      recordsRead: 1,
      filtered: {
        action: 'read',
        resourceType: 'Customer',
        checked: 2,
        removed: 1,
        engine: 'embedded' as const,
        policyVersion: 'p',
        factsVersion: 'f',
        durationMs: 1,
      },
      attempt: 1,
      idempotencyKey: 'w:c',
    };
    const signature = resultSigner(secret).sign(claim);
    const keys = { default: [publicKey] };
    expect(resultSignatureProblem(keys, claim, signature)).toBeUndefined();
    expect(
      resultSignatureProblem(keys, { ...claim, filtered: { ...claim.filtered, removed: 0 } }, signature),
    ).toMatch(/does not verify/);
    const { filtered: _dropped, ...withoutCount } = claim;
    expect(resultSignatureProblem(keys, withoutCount, signature)).toMatch(/does not verify/);
  });

  it('refuses a results declaration without a type or an id field', () => {
    expect(() => listing({ type: '', idField: 'id' })).toThrow(/results needs a resource type/);
    expect(() => listing({ type: 'Customer', idField: '' })).toThrow(/results needs a resource type/);
  });
});
