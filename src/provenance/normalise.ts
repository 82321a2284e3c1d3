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
  return normaliseText(text).replace(/[^\p{L}\p{N}]/gu, '');
}

/** A host as it compares: lower case, no trailing dot, no leading `www.`. */
export function normaliseHost(host: string): string {
  return normaliseText(host)
    .replace(/\.$/, '')
    .replace(/^www\./, '');
}

/**
 * A URL as it compares: host and path (no scheme, credentials, port, query or fragment, no trailing
 * slash), or undefined when WHATWG `URL` cannot parse it. A URL without a scheme is read as https.
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
  const host = normaliseHost(url.hostname);
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
