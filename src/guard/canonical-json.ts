import canonicalize from 'canonicalize';

/** RFC 8785 canonical JSON; refuses values JSON cannot represent. Sandbox-safe (pure JS). */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('value has no canonical JSON form');
  return text;
}
