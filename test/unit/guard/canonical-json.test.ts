import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { asJson, canonicalJson, carriedJson } from '../../../src/guard/canonical-json.ts';
import { type DecidedCall, decisionClaim, decisionMessage } from '../../../src/guard/decision-signature.ts';
import { receivedResultClaim, resultMessage } from '../../../src/guard/tool-result-signature.ts';

/** The general path, as every message encoded its JSON-carried values before: the round trip. */
const roundTrip = (value: unknown): string => canonicalJson(asJson(value));

/** What carriedJson answers or throws, compared as one value. */
function outcome(encode: (value: unknown) => string, value: unknown): string {
  try {
    return `ok ${encode(value)}`;
  } catch (error) {
    return `throws ${(error as Error).name}`;
  }
}

class Ticket {
  id = 't-501';
  secret = undefined;
}

const nested = (depth: number): unknown => (depth === 0 ? { leaf: true } : { next: nested(depth - 1) });
const cyclic: Record<string, unknown> = { a: 1 };
cyclic.self = cyclic;
const holey: unknown[] = [1];
holey[2] = 3;
const withAccessor = Object.defineProperty({ b: 2 }, 'a', { get: () => 'read once', enumerable: true });
const nullPrototype = Object.assign(Object.create(null) as object, { z: 1, a: [true, null] });
const withProto = JSON.parse('{"__proto__": {"polluted": true}, "x": 1}') as unknown;

const values: Array<[string, unknown]> = [
  ['undefined', undefined],
  ['null', null],
  ['strings', ['', 'ü', '€', '\u2028', '"\\', '\ud800', '😀', '\u0000']],
  ['numbers', [0, -0, 1, -1.5, 1e21, 1e-7, 2 ** 53 + 2, Number.MAX_VALUE, Number.MIN_VALUE, 0.1 + 0.2]],
  ['non-finite numbers', [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]],
  ['NaN alone', Number.NaN],
  ['booleans', [true, false]],
  ['member order', { b: 1, a: 2, 10: 'ten', 2: 'two', B: 3, é: 4, '': 5, a1: 6 }],
  ['undefined members', { a: undefined, b: 1, c: { d: undefined } }],
  ['undefined entries', [1, undefined, 3]],
  ['a hole', holey],
  ['function members and entries', { f: () => 1, g: 1, h: [() => 2] }],
  ['symbol members', { s: Symbol('s'), t: 1 }],
  ['a Date', { at: new Date(Date.UTC(2026, 0, 2)) }],
  ['toJSON', { value: { toJSON: () => ({ replaced: true }) } }],
  ['a class instance', new Ticket()],
  ['a Map and a Set', { map: new Map([[1, 2]]), set: new Set([1]) }],
  ['a typed array', { bytes: new Uint8Array([1, 2]) }],
  ['boxed primitives', [new String('s'), new Number(1), new Boolean(false)]],
  ['null prototype', nullPrototype],
  ['__proto__ member from JSON', withProto],
  ['an accessor member', withAccessor],
  ['nesting at the plain bound', nested(60)],
  ['nesting beyond the plain bound', nested(80)],
  ['a cycle', cyclic],
  ['a BigInt', { n: 10n }],
  ['a BigInt alone', 10n],
  ['a function alone', () => 1],
  ['a symbol alone', Symbol('s')],
];

describe('carriedJson is canonicalJson(asJson(value)), byte for byte', () => {
  it.each(values)('%s', (_, value) => {
    expect(outcome(carriedJson, value)).toBe(outcome(roundTrip, value));
  });

  it('encodes what came out of a payload without a round trip, and knows when it did', () => {
    const answer = JSON.parse(
      readFileSync(new URL('./fixtures/executed-ticket-answer.json', import.meta.url), 'utf8'),
    );
    expect(carriedJson(answer)).toBe(roundTrip(answer));
    // The case a round trip decides (an undefined entry is null in JSON) is not taken for plain data.
    expect(carriedJson([undefined])).toBe('[null]');
  });
});

describe('the signed messages are the bytes they always were', () => {
  const answer = JSON.parse(
    readFileSync(new URL('./fixtures/executed-ticket-answer.json', import.meta.url), 'utf8'),
  ) as Record<string, unknown> & { execution: unknown };
  const call: DecidedCall = {
    zone: 'default',
    workflowId: 'wf-1',
    runId: 'run-1',
    callId: 'read',
    tool: 'ticket.get',
    arguments: { ticketId: 't-501' },
    request: 'Is ticket t-501 resolved?',
    round: 1,
  };
  const who = { agent: { type: 'Agent', id: 'support-bot' }, onBehalfOf: { type: 'User', id: 'alice' } };
  const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
  /** Digests of the messages as the code before this encoder built them (a real executed ticket read). */
  const recorded = {
    result: '4972e707fa47d0396728960ecff40e26077d18deaa3a236f41c68b6e9ccfba59',
    decision: 'ca92ab3030ec920c9db32b71c93c28e8e5884d8b7ee9ec3861da396bcfd812ba',
    failure: 'a769902a9b23d4004d56ed3395070ae404fd9009b75a233e333d975ecd5de0d0',
  };

  it("a result's and an executed call's decision message, with the arguments encoded once or not", () => {
    const result = receivedResultClaim({ ...call, ...who }, answer.execution);
    expect(sha256(resultMessage(result))).toBe(recorded.result);
    expect(sha256(decisionMessage(decisionClaim(call, answer, result)))).toBe(recorded.decision);
    // The run hands in the arguments' encoding, computed once per call: the same bytes.
    const encoded = { ...call, argumentsJson: carriedJson(call.arguments) };
    const resultOnce = receivedResultClaim({ ...encoded, ...who }, answer.execution);
    expect(sha256(resultMessage(resultOnce))).toBe(recorded.result);
    expect(sha256(decisionMessage(decisionClaim(encoded, answer, resultOnce)))).toBe(recorded.decision);
  });

  it("the request digest, remembered for the run that sends it with every call, is each text's own", () => {
    const claimOf = (request: string) => decisionClaim({ ...call, request }, answer).requestDigest;
    const digest = (request: string) => `sha256:${sha256(new TextEncoder().encode(JSON.stringify(request)))}`;
    for (const request of ['Is ticket t-501 resolved?', 'Refund c-1001', 'Is ticket t-501 resolved?', '']) {
      expect(claimOf(request)).toBe(digest(request));
      expect(claimOf(request)).toBe(digest(request));
    }
  });

  it("a failure's decision message, with the optional members (attempt, approval)", () => {
    const failed = { ...call, failedAttempt: { activityId: '7', attempt: 2 } };
    const prepared = { ...answer, approval: { digest: 'sha256:ab', approvers: ['bob'] } };
    expect(sha256(decisionMessage(decisionClaim(failed, prepared)))).toBe(recorded.failure);
  });

  it('a value the answer carries in another form than JSON is encoded as JSON carries it', () => {
    // As the tool worker signs it (before its payload converter) and as the run reads it (after).
    const sent = {
      ...answer,
      reasons: [new Date(0), undefined],
      provenance: { at: new Date(0), gone: undefined },
    };
    expect(decisionMessage(decisionClaim(call, sent))).toEqual(
      decisionMessage(decisionClaim(call, asJson(sent))),
    );
  });
});
