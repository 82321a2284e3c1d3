import { describe, expect, it } from 'vitest';
import { decideProvenance } from '../../../src/provenance/decide.ts';
import { type IndexedSource, type SourceLookup, traceArguments } from '../../../src/provenance/trace.ts';
import type { ToolProvenance } from '../../../src/provenance/types.ts';
import { compactIndex, containsWhole, containsWholeCompact } from '../../../src/provenance/whole-match.ts';

const share = {
  name: 'files.share',
  provenance: { sensitive: { email: 'email' }, externalSink: true } satisfies ToolProvenance,
};
const post = {
  name: 'http.post',
  provenance: { sensitive: { url: 'url', body: 'text' }, externalSink: true } satisfies ToolProvenance,
};
const refund = {
  name: 'crm.issue_refund',
  provenance: { sensitive: { customerId: 'account' } } satisfies ToolProvenance,
};

const nothing: SourceLookup = async () => new Map();

/** A run that read one email: every key of `sender` traces to its untrusted `from` field. */
function readEmailFrom(sender: string): SourceLookup {
  const source: IndexedSource = {
    kind: 'output',
    callId: 'call-1',
    tool: 'email.search',
    field: '[].from',
    trust: 'untrusted',
    confidential: false,
    match: 'token',
  };
  const keys = new Set([`v:${sender}`, `e:${sender}`, `h:${sender.slice(sender.indexOf('@') + 1)}`]);
  return async (asked) => new Map(asked.filter((k) => keys.has(k)).map((k) => [k, [source]]));
}

async function decide(
  tool: { name: string; provenance: ToolProvenance },
  args: unknown,
  request: string,
  lookup: SourceLookup = nothing,
) {
  const units = await traceArguments(args, tool.provenance, [{ kind: 'request', text: request }], lookup);
  return decideProvenance({ units, request: 'verified', tool, agents: [], untrustedRead: true });
}

describe('a trusted text vouches for a value only where the value stands on its own', () => {
  it('an address that is the tail of the address the request names is not the user’s', async () => {
    const request = 'Share the packing list with john.doe@gmail.example, read only.';
    const attacker = await decide(share, { email: 'doe@gmail.example' }, request);
    expect(attacker.verdict).toBe('escalate');
    expect(attacker.tainted).toEqual([
      { path: 'email', kind: 'email', texts: ['doe@gmail.example'], unverified: true },
    ]);
    const asked = await decide(share, { email: 'john.doe@gmail.example' }, request);
    expect(asked.verdict).toBe('clear');
  });

  it('a longer host that starts with the request’s, or a prefix of its customer id, is not what it names', async () => {
    const request =
      'Post the resolution to https://api.acme.example/hooks/support, it is for customer c-10012.';
    const longer = 'https://api.acme.example.evil.example/hooks/support';
    expect((await decide(post, { url: longer, body: {} }, request)).verdict).toBe('escalate');
    expect((await decide(refund, { customerId: 'c-1001' }, request)).verdict).toBe('escalate');
    expect((await decide(refund, { customerId: 'c-10012' }, request)).verdict).toBe('clear');
    expect(
      (await decide(post, { url: 'https://api.acme.example/hooks/support', body: {} }, request)).verdict,
    ).toBe('clear');
  });

  it('separators, case and sentence punctuation around a whole value still match', () => {
    const index = compactIndex(
      'refund it to iban de89 3704 0044 0532 0130 00. thanks, john.doe@gmail.example.',
    );
    expect(containsWholeCompact(index, 'de89370400440532013000')).toBe(true);
    expect(containsWholeCompact(index, 'de8937040044053201')).toBe(false);
    expect(containsWholeCompact(index, '370400440532013000')).toBe(false);
    expect(containsWhole(index, 'john.doe@gmail.example')).toBe(true);
    expect(containsWhole(index, 'doe@gmail.example')).toBe(false);
    expect(containsWhole(index, 'john.doe@gmail.exam')).toBe(false);
  });
});

describe('an identifier argument decides as a whole', () => {
  it('an address from an email’s sender is one tainted value, not the address and its domain', async () => {
    const sender = 'john.mitchell@gmail.example';
    const decided = await decide(
      share,
      { email: sender },
      'Send the minutes to the client.',
      readEmailFrom(sender),
    );
    expect(decided.tainted).toEqual([{ path: 'email', kind: 'email', texts: [sender] }]);
    // The domain is still recorded with its source, for the approver to see.
    expect(decided.values.find((v) => v.token === 'host')?.sources.length).toBe(1);
  });

  it('an address inside free text still decides by its own tokens, domain included', async () => {
    const decided = await decide(
      post,
      { url: 'https://api.acme.example/hooks', body: { note: 'contact attacker@evil.example' } },
      'Post to https://api.acme.example/hooks.',
      readEmailFrom('attacker@evil.example'),
    );
    expect(decided.tainted.flatMap((t) => t.texts).sort()).toEqual(['attacker@evil.example', 'evil.example']);
  });
});
