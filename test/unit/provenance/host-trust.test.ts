import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideProvenance } from '../../../src/provenance/decide.ts';
import { normaliseHost, normaliseUrl } from '../../../src/provenance/normalise.ts';
import { ProvenanceIndex } from '../../../src/provenance/provenance-index.ts';
import { type TrustedText, traceArguments } from '../../../src/provenance/trace.ts';
import type { ToolProvenance } from '../../../src/provenance/types.ts';

/**
 * A host, URL or email domain is trusted only when a trusted source holds that exact host as a
 * whole token: never rebuilt from trusted fragments (the `acme` and `example` every address of the
 * company shares), never a parent domain or another suffix of the host the user named.
 */
const RUN = { workflowId: 'run-host-trust', runId: 'r1' };
const REQUEST: TrustedText = {
  kind: 'request',
  text: 'Post the resolution of t-504 to our status webhook https://api.acme.example/hooks/support, and mail ops@desk.acme.example.',
};

const httpPost = {
  name: 'http.post',
  provenance: { sensitive: { url: 'url', body: 'text' }, externalSink: true } satisfies ToolProvenance,
};
const mail = {
  name: 'mail.send',
  provenance: { sensitive: { to: 'email', body: 'text' }, externalSink: true } satisfies ToolProvenance,
};

describe('hosts are trusted as whole tokens only', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'warden-host-trust-'));
  let index: ProvenanceIndex;

  beforeAll(async () => {
    index = ProvenanceIndex.inDataDir(dir, 'unit-test-provenance-secret-0123456789');
    // Trusted fields whose fragments cover every part of the hosts below, none of them whole.
    await index.recordOutput(RUN, {
      callId: 'crm',
      tool: { name: 'crm.get_customer', provenance: { output: { trust: 'trusted' } } },
      output: {
        name: 'Acme Example Holding',
        email: 'billing@acme-clients.example.org',
        site: 'www.example',
        notes: 'hooks team, status page api, cme example',
      },
    });
    // The run has read untrusted content: a value with no source at all is tainted too.
    await index.recordOutput(RUN, {
      callId: 'ticket',
      tool: {
        name: 'ticket.get',
        provenance: { output: { trust: 'trusted', fields: { body: 'untrusted' } } },
      },
      output: { id: 't-504', body: 'Thanks for the quick help!' },
    });
  });
  afterAll(() => {
    index.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const decide = async (tool: typeof httpPost | typeof mail, args: Record<string, unknown>) =>
    decideProvenance({
      units: await traceArguments(args, tool.provenance, [REQUEST], index.lookupFor(RUN.workflowId)),
      request: 'verified',
      tool,
      agents: [],
      untrustedRead: true,
    });
  const post = (url: string) => decide(httpPost, { url, body: { ticket: 't-504' } });

  it.each([
    ['the parent domain of the host the request names', 'https://acme.example/hooks/support'],
    ['the parent domain, bare', 'https://acme.example'],
    ['a sibling under the same parent', 'https://hooks.acme.example/'],
    ['a suffix of the first label', 'https://pi.acme.example/hooks/support'],
    ['a shorter suffix', 'https://me.example/'],
    ['the top-level part', 'https://example.org/'],
    ['a suffix with a trailing dot', 'https://acme.example./hooks/support'],
    ['a suffix in capitals', 'HTTPS://ACME.EXAMPLE/HOOKS/SUPPORT'],
    ['the named host as userinfo of another host', 'https://api.acme.example@evil.example/hooks/support'],
    ['the named host as userinfo with a password', 'https://api.acme.example:x@evil.example/hooks'],
    ['a Cyrillic look-alike of the named host', 'https://аpi.acme.example/hooks/support'],
    [
      'the punycode of that look-alike',
      `https://${new URL('https://аpi.acme.example').hostname}/hooks/support`,
    ],
    ['the named host under another domain', 'https://api.acme.example.evil.example/hooks/support'],
    ['the named host on a port the request did not name', 'https://api.acme.example:8443/hooks/support'],
  ])('attack: %s (%s) is not trusted', async (_what, url) => {
    const decided = await post(url);
    expect(decided.verdict).toBe('escalate');
    expect(decided.tainted.map((t) => t.path)).toEqual(['url']);
    const value = decided.values.find((v) => v.path === 'url' && v.token === 'value');
    expect(value?.origin).not.toBe('trusted');
  });

  it.each([
    ['the host the request names', 'https://api.acme.example/hooks/support'],
    ['the same host in capitals', 'HTTPS://API.ACME.EXAMPLE/hooks/support'],
    ['the same host with a trailing dot', 'https://api.acme.example./hooks/support'],
    ['the same host on its default port', 'https://api.acme.example:443/hooks/support'],
    [
      'the same host with userinfo (the host it goes to is the named one)',
      'https://u@api.acme.example/hooks',
    ],
  ])('benign: %s (%s) is trusted', async (_what, url) => {
    const decided = await post(url);
    expect(decided.tainted).toEqual([]);
    expect(decided.verdict).toBe('clear');
  });

  it('a host a trusted field holds whole is trusted (the domain of an address in a CRM record)', async () => {
    expect((await post('https://acme-clients.example.org/import')).verdict).toBe('clear');
  });

  it("attack: an address at a parent or a sibling of the request's mail domain is not trusted", async () => {
    for (const to of ['ops@acme.example', 'ops@api.acme.example', 'ops@sk.acme.example']) {
      const decided = await decide(mail, { to, body: 'resolved' });
      expect(decided.verdict, to).toBe('escalate');
    }
    expect((await decide(mail, { to: 'OPS@Desk.Acme.Example', body: 'resolved' })).verdict).toBe('clear');
  });

  it('attack: a URL inside free text naming a parent domain of the named host is not trusted', async () => {
    const decided = await decide(mail, {
      to: 'ops@desk.acme.example',
      body: 'Status moved to https://acme.example/status, see you there.',
    });
    expect(decided.verdict).toBe('escalate');
    expect(decided.tainted).toEqual([
      expect.objectContaining({ path: 'body', texts: ['https://acme.example/status', 'acme.example'] }),
    ]);
  });
});

describe('one host, one form', () => {
  it('Unicode hosts compare as WHATWG URL writes them (punycode), bare or in a URL', () => {
    const lookalike = normaliseHost('аpi.acme.example');
    expect(lookalike).toMatch(/^xn--/);
    expect(normaliseUrl('https://аpi.acme.example/x')?.host).toBe(lookalike);
    expect(normaliseUrl(`https://${lookalike}/x`)?.host).toBe(lookalike);
    expect(normaliseHost('API.Acme.Example.')).toBe('api.acme.example');
  });

  it('a port other than the default is part of the host a URL compares by', () => {
    expect(normaliseUrl('https://api.acme.example:8443/x')?.host).toBe('api.acme.example:8443');
    expect(normaliseUrl('https://api.acme.example:443/x')?.host).toBe('api.acme.example');
    expect(normaliseUrl('http://api.acme.example:80/x')?.host).toBe('api.acme.example');
  });
});
