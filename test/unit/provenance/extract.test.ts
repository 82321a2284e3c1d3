import { describe, expect, it } from 'vitest';
import { codeWordKeys, extractTokens } from '../../../src/provenance/extract.ts';
import { compactIdentifier, normaliseText, normaliseUrl } from '../../../src/provenance/normalise.ts';

const kinds = (text: string) => extractTokens(text).map((t) => [t.kind, t.keys[0]]);

describe('identifier-like tokens inside free text', () => {
  it('finds URLs with their hosts, emails with their domains, and bare hosts', () => {
    expect(kinds('Please POST them to https://attacker.example/collect?x=1. Thanks')).toEqual([
      ['url', 'u:attacker.example/collect'],
      ['host', 'h:attacker.example'],
    ]);
    expect(kinds('write to Mallory@Evil.Example now')).toEqual([
      ['email', 'e:mallory@evil.example'],
      ['host', 'h:evil.example'],
    ]);
    expect(kinds('the portal at files.attacker.example/upload has it')).toEqual([
      ['url', 'u:files.attacker.example/upload'],
      ['host', 'h:files.attacker.example'],
    ]);
  });

  it('finds IBANs, long numbers, phone numbers, paths and password-like strings', () => {
    expect(kinds('pay DE89 3704 0044 0532 0130 00 today')).toEqual([['iban', 'c:de89370400440532013000']]);
    expect(kinds('account 12-345-678, call +1 (555) 010-9999')).toEqual([
      ['number', 'c:12345678'],
      ['phone', 'c:15550109999'],
    ]);
    expect(kinds('read /etc/ssh/sshd_config please')).toEqual([['path', 'p:/etc/ssh/sshd_config']]);
    expect(kinds('the new password is Tr0ub4dor&3x')).toEqual([['secret', 's:tr0ub4dor&3x']]);
  });

  it('finds what only the normalised text spells: full-width separators, digits and spelled-out addresses', () => {
    // Each pattern is run only on a text holding what it needs (`://`, `@`, `.`, a slash, a digit):
    // that is looked for after NFKC and unspelling, where an attacker's full-width forms are plain.
    expect(kinds('post to ｈｔｔｐｓ：／／evil．example／x now')).toEqual([
      ['url', 'u:evil.example/x'],
      ['host', 'h:evil.example'],
    ]);
    expect(kinds('mail ｍａｌｌｏｒｙ＠ｅｖｉｌ．ｅｘａｍｐｌｅ')).toEqual([
      ['email', 'e:mallory@evil.example'],
      ['host', 'h:evil.example'],
    ]);
    expect(kinds('mallory (at) evil [dot] example')).toEqual([
      ['email', 'e:mallory@evil.example'],
      ['host', 'h:evil.example'],
    ]);
    expect(kinds('read ／etc／passwd')).toEqual([['path', 'p:/etc/passwd']]);
    expect(kinds('account １２３４５６７８ and code ＡＢ１２３４５６')).toEqual([
      ['number', 'c:12345678'],
      ['account', 'c:ab123456'],
    ]);
    expect(codeWordKeys('customer ｃ－１００２')).toEqual(['c:c1002', 'c:customerc1002']);
  });

  it('leaves ordinary words, short numbers, invoice codes and file names alone', () => {
    expect(
      extractTokens('Charged twice (2 x 80 EUR) for invoice INV-3301; see invoice.pdf, e.g. today'),
    ).toEqual([]);
  });
});

describe('normalisation', () => {
  it('folds Unicode compatibility forms, case and whitespace', () => {
    expect(normaliseText('  ＡＴＴＡＣＫＥＲ\u00a0 Example ')).toBe('attacker example');
    expect(compactIdentifier('DE89-3704.0044 0532')).toBe('de89370400440532');
  });

  it('compares a URL by host (and a port other than the default) and path only', () => {
    expect(normaliseUrl('HTTPS://User:pw@Attacker.Example:443/Collect/?q=1#x')).toEqual({
      host: 'attacker.example',
      hostAndPath: 'attacker.example/collect',
    });
    // `www.` is a host of its own, and another port another endpoint.
    expect(normaliseUrl('https://WWW.Attacker.Example:8443/Collect')).toEqual({
      host: 'www.attacker.example:8443',
      hostAndPath: 'www.attacker.example:8443/collect',
    });
    expect(normaliseUrl('attacker.example/collect')?.hostAndPath).toBe('attacker.example/collect');
  });

  it('an attacker writing the same value in full-width letters or upper case gets the same keys', () => {
    const plain = extractTokens('https://attacker.example/collect')[0]?.keys;
    expect(extractTokens('ＨＴＴＰＳ://ATTACKER.EXAMPLE/Collect')[0]?.keys).toEqual(plain);
  });
});

describe('crafted strings', () => {
  it('long runs made to make the patterns backtrack are scanned in bounded time', () => {
    const start = performance.now();
    for (const unit of ['a.', 'a-', 'a1', '1.', 'ab.c', 'a@', ' ( at ) ', '   [dot]']) {
      extractTokens(unit.repeat(32_000));
      extractTokens(`${unit.repeat(1_000)} `.repeat(32));
      extractTokens(`${unit.repeat(120)} `.repeat(256));
    }
    // Before runs were bounded, one 40 KB run of "a-" took over 4 s.
    expect(performance.now() - start).toBeLessThan(3_000);
  });
});
