import canonicalize from 'canonicalize';

/** RFC 8785 canonical JSON; refuses values JSON cannot represent. Sandbox-safe (pure JS). */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('value has no canonical JSON form');
  return text;
}

/** A value as it reaches the other side: JSON, as Temporal's payload converter carries it. */
export function asJson(value: unknown): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}

/**
 * The built-ins the encoder calls, read once: in the workflow sandbox every read of a global goes
 * through the V8 context's interceptor, which costs more than the encoding of a small value.
 */
const { getPrototypeOf, keys } = Object;
const { isArray } = Array;
const { isFinite: finite } = Number;
const { stringify } = JSON;
const toText = String;
const OBJECT_PROTOTYPE = Object.prototype;
const ARRAY_PROTOTYPE = Array.prototype;

/** Nesting beyond which a value is left to the general path (which also refuses cycles). */
const MAX_PLAIN_DEPTH = 64;

/**
 * The canonical JSON of `value` when it is plain JSON data (what JSON.parse makes: null, booleans,
 * strings, finite numbers, dense arrays, objects of Object.prototype or none, members `undefined`
 * left out as JSON leaves them out), read once; `undefined` for anything else, which the general
 * path then encodes. For such data the JSON round trip of `asJson` changes nothing, so this is
 * `canonicalJson(asJson(value))` without the round trip.
 */
function plainJson(value: unknown, depth: number): string | undefined {
  switch (typeof value) {
    case 'string':
      return stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      // What JSON.stringify and RFC 8785 write for a finite number (−0 as 0).
      return finite(value) ? toText(value) : undefined;
    case 'object':
      break;
    default:
      return undefined;
  }
  if (value === null) return 'null';
  if (depth >= MAX_PLAIN_DEPTH) return undefined;
  const prototype = getPrototypeOf(value);
  // A toJSON method (even one polluting a prototype) is the general path's to call.
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return undefined;
  if (isArray(value)) {
    if (prototype !== ARRAY_PROTOTYPE) return undefined;
    let text = '[';
    for (let i = 0; i < value.length; i++) {
      // A hole or an undefined entry (JSON writes null, the encoder skips a hole): the general path.
      const item = plainJson(value[i], depth + 1);
      if (item === undefined) return undefined;
      text += i === 0 ? item : `,${item}`;
    }
    return `${text}]`;
  }
  if (prototype !== OBJECT_PROTOTYPE && prototype !== null) return undefined;
  const members = value as Record<string, unknown>;
  let text = '';
  // RFC 8785 orders members by their names' UTF-16 code units: the default sort, as canonicalize's.
  for (const name of keys(members).sort()) {
    const member = members[name];
    if (member === undefined) continue;
    const item = plainJson(member, depth + 1);
    if (item === undefined) return undefined;
    text += `${text === '' ? '' : ','}${stringify(name)}:${item}`;
  }
  return `{${text}}`;
}

/**
 * `canonicalJson(asJson(value))`, byte for byte, for any value: the canonical JSON of a value as the
 * other side of a JSON payload sees it. Plain JSON data (anything that came out of a payload) is
 * encoded in one pass, with no round trip; anything else takes the round trip. Throws where that does.
 */
export function carriedJson(value: unknown): string {
  return plainJson(value === undefined ? null : value, 0) ?? canonicalJson(asJson(value));
}

/**
 * What `canonicalJson` writes for an object, from its members' encodings: `members` maps each name
 * to the member's canonical JSON (`carriedJson`, or `memberJson` for a value used as it is), or to
 * `undefined` for a member the object leaves out. Lets a message reuse an encoding computed once.
 */
export function canonicalObject(members: Record<string, string | undefined>): string {
  let text = '';
  for (const name of keys(members).sort()) {
    const member = members[name];
    if (member === undefined) continue;
    text += `${text === '' ? '' : ','}${stringify(name)}:${member}`;
  }
  return `{${text}}`;
}

/**
 * A member value used as it is (no round trip), encoded as `canonicalJson` encodes it within an
 * object: `undefined` (and a symbol) when the object leaves it out.
 */
export function memberJson(value: unknown): string | undefined {
  if (value === undefined || typeof value === 'symbol') return undefined;
  // Within an object the encoder writes what it returns, even `undefined` (a function's encoding).
  return toText(canonicalize(value));
}

/** Who a zone-signed message is about: the same members, encoded the same way, in every claim. */
export interface SignedCall {
  zone: string;
  workflowId: string;
  runId: string;
  callId: string;
  tool: string;
}

/**
 * The members every zone-signed message opens with: its purpose's domain and the call it is about
 * (for `canonicalObject`, which orders all members by name).
 */
export function callMembers(domain: string, call: SignedCall): Record<string, string | undefined> {
  return {
    domain: memberJson(domain),
    zone: memberJson(call.zone),
    workflowId: memberJson(call.workflowId),
    runId: memberJson(call.runId),
    callId: memberJson(call.callId),
    tool: memberJson(call.tool),
  };
}
