import { describe, expect, it } from 'vitest';
import { hostMatches, hostOf, parseHttpUrl } from '../../../src/guard/http-url.ts';
import { httpUrl, money } from '../../../src/tools/argument-schemas.ts';

/** Strings that read as one host and go to another, or hide what they are. */
const REFUSED: Array<[string, RegExp]> = [
  ['https://evil.example\\@api.acme.example/x', /backslash/],
  ['https://evil.example\\.api.acme.example/', /backslash/],
  ['https://user:pw@api.acme.example/x', /credentials/],
  ['https://api.acme.example@evil.example/', /credentials/],
  ['https://@evil.example/', /credentials/],
  ['https://api.acme.example./x', /ending in a dot/],
  ['https://аpi.acme.example/', /printable ASCII/], // Cyrillic а
  ['https://api.acme。example/', /printable ASCII/], // ideographic full stop, which WHATWG maps to "."
  ['https://api.acme.exa\tmple/', /printable ASCII/], // WHATWG drops tabs inside the URL
  [' https://api.acme.example/', /printable ASCII/],
  ['javascript:alert(1)', /scheme javascript/],
  ['ftp://api.acme.example/', /scheme ftp/],
  ['file:///etc/passwd', /scheme file/],
  ['//api.acme.example/x', /not an absolute URL/],
  [`https://api.acme.example/${'a'.repeat(2100)}`, /longer than 2048/],
];

describe('parseHttpUrl: one WHATWG parse, checked and used', () => {
  it.each(REFUSED)('refuses %j', (url, reason) => {
    const parsed = parseHttpUrl(url);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
  });

  it('refuses values that are not strings, without calling anything on them', () => {
    for (const value of [['https://api.acme.example/'], { toString: 'x' }, 42, null, undefined, 1n]) {
      expect(parseHttpUrl(value)).toEqual({ ok: false, reason: 'is not a URL string' });
    }
  });

  it('returns the host fetch would contact and the normalized URL the tool must send to', () => {
    expect(parseHttpUrl('HTTPS://API.Acme.Example:443/a/../b?q=1#f')).toEqual({
      ok: true,
      href: 'https://api.acme.example/b?q=1#f',
      host: 'api.acme.example',
      hostKind: 'domain',
    });
    expect(hostOf('https://api.acme.example.evil.example/x')).toBe('api.acme.example.evil.example');
    expect(hostOf('https://xn--pi-6kc.acme.example/')).toBe('xn--pi-6kc.acme.example');
  });

  it('normalizes every IPv4 spelling to dotted decimal, so an IP literal is recognized', () => {
    for (const url of [
      'https://127.0.0.1/',
      'https://2130706433/',
      'https://0x7f.1/',
      'https://0177.0.0.1/',
    ]) {
      expect(parseHttpUrl(url)).toMatchObject({ ok: true, host: '127.0.0.1', hostKind: 'ipv4' });
    }
    expect(parseHttpUrl('https://[0:0::1]/')).toMatchObject({ ok: true, host: '[::1]', hostKind: 'ipv6' });
  });

  it('matches wildcards on domains only; an IP matches only itself', () => {
    expect(hostMatches('api.acme.example', '*.acme.example')).toBe(true);
    expect(hostMatches('acme.example', '*.acme.example')).toBe(true);
    expect(hostMatches('evilacme.example', '*.acme.example')).toBe(false);
    expect(hostMatches('api.acme.example.evil.example', '*.acme.example')).toBe(false);
    expect(hostMatches('10.0.0.5', '*.0.5')).toBe(false);
    expect(hostMatches('10.0.0.5', '10.0.0.5')).toBe(true);
  });
});

describe('httpUrl(): the schema hands the tool the parsed value', () => {
  it('outputs the normalized URL and refuses confusion strings', () => {
    const schema = httpUrl({ protocols: ['https'] });
    expect(schema.parse('HTTPS://Hooks.Partner.Example/x')).toBe('https://hooks.partner.example/x');
    expect(schema.safeParse('http://hooks.partner.example/x').success).toBe(false);
    for (const [url] of REFUSED) expect(schema.safeParse(url).success).toBe(false);
    // Idempotent: the activities re-validate the workflow's parsed arguments.
    expect(schema.parse(schema.parse('https://A.example'))).toBe('https://a.example/');
  });
});

describe('money(): finite, within the declared decimal places', () => {
  const amount = money({ decimals: 2, max: 10_000 });

  it('accepts amounts of at most two decimals between one cent and the maximum', () => {
    for (const value of [0.01, 0.1, 0.3, 19.99, 80, 100.01, 9_999.99, 10_000]) {
      expect(amount.safeParse(value).success, String(value)).toBe(true);
    }
  });

  it('refuses what multipleOf(0.01) lets through, and non-finite or signed-zero values', () => {
    for (const value of [5e-324, 1e-7, 0.001, 0.1 + 0.2, 19.999, Number.NaN, Infinity, -Infinity, -0, 0]) {
      expect(amount.safeParse(value).success, String(value)).toBe(false);
    }
    expect(amount.safeParse(JSON.parse('1e309')).success).toBe(false);
    expect(amount.safeParse(10_000.01).success).toBe(false);
    expect(amount.safeParse(-5).success).toBe(false);
    expect(amount.safeParse('80').success).toBe(false);
  });

  it('follows the declared decimals, and refuses a declaration that makes no sense', () => {
    const yen = money({ decimals: 0, max: 1_000_000 });
    expect(yen.safeParse(500).success).toBe(true);
    expect(yen.safeParse(500.5).success).toBe(false);
    expect(() => money({ decimals: 2.5, max: 1 })).toThrow(/decimals/);
    expect(() => money({ max: Infinity })).toThrow(/finite/);
  });
});
