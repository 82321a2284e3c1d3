import { describe, expect, it } from 'vitest';
import { demoTools } from '../../../examples/support-copilot/tools/index.ts';
import { parseToolArguments } from '../../../src/workflows/guard/arguments.ts';

describe('argument validation in the workflow', () => {
  it('parses JSON text and applies schema defaults', () => {
    const parsed = parseToolArguments(demoTools, 'crm.search_customers', '{"query":"dana"}');
    expect(parsed).toMatchObject({ ok: true, args: { query: 'dana', limit: 10 } });
  });

  it('measures size in UTF-8 bytes, for text and for values', () => {
    const body = 'é'.repeat(600);
    expect(parseToolArguments(demoTools, 'ticket.reply', { ticketId: 't-1', body }, 1000)).toMatchObject({
      ok: false,
    });
    expect(
      parseToolArguments(demoTools, 'ticket.reply', JSON.stringify({ ticketId: 't-1', body }), 1000),
    ).toMatchObject({
      ok: false,
    });
    expect(parseToolArguments(demoTools, 'ticket.reply', { ticketId: 't-1', body }, 2000)).toMatchObject({
      ok: true,
    });
  });

  it('refuses unknown tools, invalid JSON, unknown keys and values that are not JSON', () => {
    expect(parseToolArguments(demoTools, 'nope', '{}')).toMatchObject({ ok: false });
    expect(parseToolArguments(demoTools, 'ticket.get', '{"ticketId":')).toMatchObject({ ok: false });
    expect(parseToolArguments(demoTools, 'ticket.get', { ticketId: 't-1', extra: 1 })).toMatchObject({
      ok: false,
    });
    expect(parseToolArguments(demoTools, 'ticket.get', { ticketId: 1n })).toMatchObject({ ok: false });
  });
});
