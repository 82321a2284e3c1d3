/**
 * How values are compared, on both sides of a trace (an earlier output, this call's arguments):
 * Unicode NFKC (full-width and other compatibility forms fold to their plain letters), lower case,
 * runs of whitespace as one space. Identifiers also lose the separators people and attackers put in
 * them (spaces, dashes, dots, brackets), and a URL compares as its host and path. Deterministic.
 */

/** NFKC, lower case, whitespace collapsed and trimmed. */
export function normaliseText(text: string): string {
  return text.normalize('NFKC').toLowerCase().normalize('NFKC').replace(/\s+/gu, ' ').trim();
}

/** The letters and digits of an identifier, normalised: `DE89 3704-0044` → `de8937040044`. */
export function compactIdentifier(text: string): string {
  return lettersAndDigits(normaliseText(text));
}

/** The letters and digits of a text already normalised (`normaliseText`): its compact identifier. */
export function lettersAndDigits(normalised: string): string {
  return normalised.replace(/[^\p{L}\p{N}]/gu, '');
}

/** Characters that end a host in a URL: a host text holding one is not a host on its own. */
const NOT_A_HOST = /[/?#@\\\s:[\]]/u;

/**
 * A host as it compares: as WHATWG `URL` writes it (lower case, Unicode labels as punycode, so a
 * look-alike letter is another host, not the same one), without a trailing dot. Nothing else is
 * taken off: `www.acme.example`, `acme.example` and `api.acme.example` are three hosts.
 */
export function normaliseHost(host: string): string {
  const text = normaliseText(host).replace(/\.$/, '');
  if (text === '' || NOT_A_HOST.test(text)) return text;
  try {
    return new URL(`http://${text}/`).hostname.replace(/\.$/, '');
  } catch {
    return text;
  }
}

/**
 * A URL as it compares: host (with its port when it is not the scheme's default) and path (no
 * scheme, credentials, query or fragment, no trailing slash), or undefined when WHATWG `URL` cannot
 * parse it. A URL without a scheme is read as https.
 */
export function normaliseUrl(text: string): { host: string; hostAndPath: string } | undefined {
  const trimmed = text.normalize('NFKC').trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return undefined;
  }
  if (url.hostname === '') return undefined;
  // Another port is another service on the host: not the endpoint a source named.
  const host = `${normaliseHost(url.hostname)}${url.port === '' ? '' : `:${url.port}`}`;
  const path = normaliseText(decodeSafely(url.pathname)).replace(/\/+/g, '/').replace(/\/$/, '');
  return { host, hostAndPath: `${host}${path}` };
}

function decodeSafely(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** A file path as it compares: normalised text, repeated and trailing slashes dropped. */
export function normalisePath(text: string): string {
  return normaliseText(text)
    .replace(/\\/g, '/')
    .replace(/\/+/g, '/')
    .replace(/(.)\/$/, '$1');
}

/** An email address as it compares. */
export function normaliseEmail(text: string): string {
  return normaliseText(text);
}
