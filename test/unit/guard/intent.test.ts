import { describe, expect, it } from 'vitest';
import { hostOf } from '../../../src/guard/http-url.ts';
import { evaluateIntent } from '../../../src/guard/intent/evaluate.ts';
import type { IntentRule } from '../../../src/guard/intent/rules.ts';
import type { RunUsage } from '../../../src/guard/types.ts';

const usage = (over: Partial<RunUsage> = {}): RunUsage => ({
  calls: 0,
  callsByTool: {},
  recordsRead: 0,
  hosts: [],
  ...over,
});

function verdict(
  rules: IntentRule[],
  args: unknown,
  over: Partial<Parameters<typeof evaluateIntent>[1]> = {},
) {
  return evaluateIntent(rules, {
    tool: 'http.post',
    category: 'http',
    arguments: args,
    usage: usage(),
    callsInWindow: () => 0,
    ...over,
  });
}

describe('intent rules', () => {
  it('escalates or denies amounts over a limit, and denies a non-numeric amount', () => {
    expect(verdict([{ kind: 'max_amount', argument: 'amount', max: 100 }], { amount: 100 }).verdict).toBe(
      'allow',
    );
    expect(verdict([{ kind: 'max_amount', argument: 'amount', max: 100 }], { amount: 101 })).toMatchObject({
      verdict: 'escalate',
      reasons: ['amount 101 exceeds the limit 100'],
    });
    expect(
      verdict([{ kind: 'max_amount', argument: 'amount', max: 100, onExceed: 'deny' }], { amount: 101 })
        .verdict,
    ).toBe('deny');
    expect(verdict([{ kind: 'max_amount', argument: 'amount', max: 100 }], { amount: '5' }).verdict).toBe(
      'deny',
    );
  });

  it('allows listed hosts only, with subdomain wildcards, and is not fooled by userinfo', () => {
    const rule: IntentRule = { kind: 'allowed_hosts', argument: 'url', hosts: ['*.acme.example'] };
    expect(verdict([rule], { url: 'https://crm.acme.example/x' }).verdict).toBe('allow');
    expect(verdict([rule], { url: 'https://acme.example/x' }).verdict).toBe('allow');
    expect(verdict([rule], { url: 'https://acme.example.attacker.example/' }).verdict).toBe('deny');
    expect(verdict([rule], { url: 'https://crm.acme.example@attacker.example/' }).verdict).toBe('deny');
    expect(verdict([rule], { url: 'ftp://crm.acme.example/' }).verdict).toBe('deny');
    expect(hostOf('HTTPS://Api.Acme.Example:8443/p')).toBe('api.acme.example');
  });

  it('escalates the first call to a new external host, not to a known or already contacted one', () => {
    const rule: IntentRule = { kind: 'new_external_host', argument: 'url', knownHosts: ['api.acme.example'] };
    expect(verdict([rule], { url: 'https://api.acme.example/' }).verdict).toBe('allow');
    expect(verdict([rule], { url: 'https://new.example/' }).verdict).toBe('escalate');
    expect(
      verdict([rule], { url: 'https://new.example/' }, { usage: usage({ hosts: ['new.example'] }) }).verdict,
    ).toBe('allow');
  });

  it('limits records per run, calls per run and calls per window', () => {
    const records: IntentRule = { kind: 'max_records_per_run', limit: 100, requestedArgument: 'limit' };
    expect(verdict([records], { limit: 40 }, { usage: usage({ recordsRead: 60 }) }).verdict).toBe('allow');
    expect(verdict([records], { limit: 41 }, { usage: usage({ recordsRead: 60 }) })).toMatchObject({
      verdict: 'escalate',
      reasons: ['this run would read 101 records, more than 100'],
    });
    const perRun: IntentRule = { kind: 'max_calls_per_run', limit: 2 };
    expect(verdict([perRun], {}, { usage: usage({ callsByTool: { 'http.post': 1 } }) }).verdict).toBe(
      'allow',
    );
    expect(verdict([perRun], {}, { usage: usage({ callsByTool: { 'http.post': 2 } }) }).verdict).toBe('deny');
    const perWindow: IntentRule = { kind: 'max_calls_per_window', limit: 3, windowSeconds: 60 };
    expect(verdict([perWindow], {}, { callsInWindow: () => 2 }).verdict).toBe('allow');
    expect(verdict([perWindow], {}, { callsInWindow: () => 3 }).verdict).toBe('deny');
  });

  it('checks the declared purpose; deny beats escalate beats allow', () => {
    const scope = { tools: ['ticket.get'], categories: ['crm'] };
    expect(verdict([], {}, { purposeScope: scope }).verdict).toBe('deny');
    expect(verdict([], {}, { purposeScope: { ...scope, outside: 'escalate' } }).verdict).toBe('escalate');
    expect(verdict([], {}, { purposeScope: { categories: ['http'] } }).verdict).toBe('allow');
    const both = verdict(
      [
        { kind: 'new_external_host', argument: 'url' },
        { kind: 'allowed_hosts', argument: 'url', hosts: ['ok.example'] },
      ],
      { url: 'https://bad.example/' },
    );
    expect(both.verdict).toBe('deny');
    expect(both.findings.map((f) => f.verdict)).toEqual(['escalate', 'deny']);
  });

  it('applies a rule on an optional argument only when the call has it, unless the rule says required', () => {
    const cap: IntentRule = { kind: 'max_amount', argument: 'tip', max: 10, onExceed: 'deny' };
    expect(verdict([cap], { note: 'no tip' })).toMatchObject({
      verdict: 'allow',
      findings: [{ rule: 'max_amount', verdict: 'allow', reason: 'tip is absent; the rule does not apply' }],
    });
    expect(verdict([cap], { tip: 11 }).verdict).toBe('deny');
    expect(verdict([cap], { tip: 'lots' }).verdict).toBe('deny');
    expect(verdict([{ ...cap, required: true }], { note: 'no tip' })).toMatchObject({
      verdict: 'deny',
      reasons: ['tip is required and missing'],
    });
    const status: IntentRule = { kind: 'allowed_values', argument: 'status', values: ['pending'] };
    expect(verdict([status], {}).verdict).toBe('allow');
    expect(verdict([status], { status: 'closed' }).verdict).toBe('deny');
    expect(verdict([{ ...status, required: true }], {}).verdict).toBe('deny');
    const hosts: IntentRule = { kind: 'allowed_hosts', argument: 'callback', hosts: ['*.acme.example'] };
    expect(verdict([hosts], {}).verdict).toBe('allow');
    expect(verdict([hosts], { callback: 'https://evil.example/' }).verdict).toBe('deny');
    // An inherited property is not an argument.
    expect(verdict([{ ...cap, argument: 'constructor', required: true }], {}).verdict).toBe('deny');
    const records: IntentRule = { kind: 'max_records_per_run', limit: 100, requestedArgument: 'limit' };
    expect(verdict([records], {}).verdict).toBe('allow');
    expect(verdict([records], { limit: '5000' }).verdict).toBe('deny');
  });

  it('denies host confusion: the host checked is the host WHATWG URL (and so fetch) contacts', () => {
    const allowed: IntentRule = { kind: 'allowed_hosts', argument: 'url', hosts: ['*.acme.example'] };
    const known: IntentRule = {
      kind: 'new_external_host',
      argument: 'url',
      knownHosts: ['api.acme.example'],
    };
    const attacks = [
      'https://evil.example\\@api.acme.example/x',
      'https://user:pw@api.acme.example/x',
      'https://api.acme.example./x',
      'https://аpi.acme.example/x',
      'https://api.acme.example.evil.example/x',
      'HTTPS://EVIL.EXAMPLE/api.acme.example',
      'https://127.0.0.1/x',
      'https://2130706433/x',
      'https://[::1]/x',
      'https://xn--acm-bla.example/x',
    ];
    for (const url of attacks) {
      expect(verdict([allowed], { url }).verdict, url).toBe('deny');
    }
    // A new host escalates; a URL that hides its host, or an IP address, is denied outright.
    expect(verdict([known], { url: 'https://api.acme.example.evil.example/x' }).verdict).toBe('escalate');
    for (const url of attacks.filter((u) => !/evil\.example\/|EVIL|xn--/.test(u))) {
      expect(verdict([known], { url }).verdict, url).toBe('deny');
    }
    expect(verdict([known], { url: 'https://API.Acme.Example/x' }).verdict).toBe('allow');
    expect(
      verdict([{ kind: 'allowed_hosts', argument: 'url', hosts: ['10.0.0.5'] }], { url: 'https://10.0.0.5/' })
        .verdict,
    ).toBe('allow');
  });
});
