/**
 * The one URL parser of the guard. A host rule checks the host of the URL that WHATWG `URL` (and so
 * `fetch`) will contact, and the tool is handed the same parsed value (`href`), never the text the
 * model wrote. Deterministic and free of Node APIs: workflow code uses it too.
 */

export type HostKind = 'domain' | 'ipv4' | 'ipv6';

export type ParsedHttpUrl =
  | {
      ok: true;
      /** The normalized URL: what a tool must send to. */
      href: string;
      /** Lower case, IDN in punycode, IPv4 in dotted decimal, IPv6 in brackets. */
      host: string;
      hostKind: HostKind;
    }
  | { ok: false; reason: string };

export const MAX_URL_LENGTH = 2048;

const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

function refused(reason: string): ParsedHttpUrl {
  return { ok: false, reason };
}

/**
 * Parses an absolute http(s) URL strictly. Refused: anything but a string; more than 2048 characters;
 * characters outside printable ASCII (whitespace and control characters, which WHATWG silently drops,
 * and non-ASCII text, whose look-alike letters an approver cannot tell apart: IDN hosts are written
 * in punycode); backslashes (WHATWG reads them as `/`, other parsers do not); credentials
 * (`user:pass@`, or any `@` before the host); other schemes; a host ending in a dot.
 */
export function parseHttpUrl(value: unknown): ParsedHttpUrl {
  if (typeof value !== 'string') return refused('is not a URL string');
  if (value.length > MAX_URL_LENGTH) return refused(`is longer than ${MAX_URL_LENGTH} characters`);
  if (!PRINTABLE_ASCII.test(value)) {
    return refused('must be printable ASCII without spaces (write IDN hosts in punycode)');
  }
  if (value.includes('\\')) return refused('must not contain a backslash');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return refused('is not an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return refused(`has the scheme ${url.protocol.slice(0, -1)}; only http and https are allowed`);
  }
  // The authority is the text between `//` and the first `/`, `?` or `#`: with backslashes gone,
  // every parser splits it the same way.
  const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(value)?.[1] ?? '';
  if (url.username !== '' || url.password !== '' || authority.includes('@')) {
    return refused('must not carry credentials (user:password@)');
  }
  const host = url.hostname;
  if (host === '') return refused('has no host');
  if (host.endsWith('.')) return refused('has a host ending in a dot');
  const hostKind: HostKind = host.startsWith('[') ? 'ipv6' : IPV4.test(host) ? 'ipv4' : 'domain';
  return { ok: true, href: url.href, host, hostKind };
}

/** The host a URL argument contacts, or undefined when it is not a URL `parseHttpUrl` accepts. */
export function hostOf(value: unknown): string | undefined {
  const parsed = parseHttpUrl(value);
  return parsed.ok ? parsed.host : undefined;
}

/**
 * Whether a parsed host matches a rule's pattern: `*.acme.example` matches `acme.example` and its
 * subdomains. An IP-literal host matches only a pattern that is that very address (`10.0.0.5`,
 * `[::1]`): a rule that names domains never lets an IP address through.
 */
export function hostMatches(host: string, pattern: string): boolean {
  const p = pattern.toLowerCase();
  if (p.startsWith('*.')) return !isIpLiteral(host) && (host.endsWith(p.slice(1)) || host === p.slice(2));
  return host === p;
}

export function isIpLiteral(host: string): boolean {
  return host.startsWith('[') || IPV4.test(host);
}
