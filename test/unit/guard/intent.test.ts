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
});
