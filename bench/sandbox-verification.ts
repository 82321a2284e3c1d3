/**
 * CPU the workflow sandbox spends verifying what a tool worker signs, measured in the workers' own
 * bundle inside a V8 context as the SDK's reusable context holds it (test/support/workflow-sandbox.ts:
 * shared modules preloaded and frozen). Three figures, each over `BENCH_CHECKS` distinct signatures
 * (every one new to the table of verified signatures, as each call's is), in interleaved rounds:
 * - one Ed25519 verification of a 3 KiB message;
 * - the message of an executed call's decision, its result's digest included (what the check builds);
 * - one decided call: the zone-signed answer of an executed ticket read (a real one, in
 *   test/unit/guard/fixtures) checked as the run checks it, its result bound within (one signature).
 *
 * `npx tsx --conditions=warden-source bench/sandbox-verification.ts [source root]`: the root (default
 * this checkout) is the tree whose bundle is measured, so another checkout's figures come from the
 * same script. Prints µs per check (process CPU, medians of the rounds) and the load.
 */
import { sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { bytesToHex } from '@noble/curves/utils.js';
import { nativeSigningKey } from '../src/crypto/native-ed25519.ts';
import { decisionClaim, decisionMessage } from '../src/guard/decision-signature.ts';
import { receivedResultClaim, resultKeyId } from '../src/guard/tool-result-signature.ts';
import { record } from './results.ts';
import { median } from './stats.ts';

const CHECKS = Number(process.env.BENCH_CHECKS ?? 400);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const root = path.resolve(process.argv[2] ?? path.join(import.meta.dirname, '..'));

const { workflowSandbox } = (await import(
  pathToFileURL(path.join(root, 'test/support/workflow-sandbox.ts')).href
)) as typeof import('../test/support/workflow-sandbox.ts');

const seed = new Uint8Array(32).fill(17);
const { key, publicKey } = nativeSigningKey(seed);
const publicKeyHex = bytesToHex(publicKey);
const answer = JSON.parse(
  readFileSync(
    path.join(import.meta.dirname, '../test/unit/guard/fixtures/executed-ticket-answer.json'),
    'utf8',
  ),
) as Record<string, unknown> & { execution: unknown };
const who = { agent: { type: 'Agent', id: 'support-bot' }, onBehalfOf: { type: 'User', id: 'alice' } };

/** `count` distinct signed calls: the call, the answer as the worker signed it (one signature). */
function signedCalls(count: number, offset: number) {
  return Array.from({ length: count }, (_, i) => {
    const call = {
      zone: 'default',
      workflowId: 'wf-bench',
      runId: 'run-bench',
      callId: `read-${offset + i}`,
      tool: 'ticket.get',
      arguments: { ticketId: 't-501' },
      round: 1,
    };
    const claim = decisionClaim(call, answer, receivedResultClaim({ ...call, ...who }, answer.execution));
    const signature = sign(null, decisionMessage(claim), key).toString('hex');
    return {
      call,
      answer: { ...answer, decisionSignature: { keyId: resultKeyId(publicKeyHex), signature } },
    };
  });
}

/** `count` distinct 3 KiB messages with their signatures, hex. */
function signedMessages(count: number, offset: number) {
  return Array.from({ length: count }, (_, i) => {
    const message = Buffer.from(`${offset + i}:${JSON.stringify(answer)}`);
    return { message: message.toString('hex'), signature: sign(null, message, key).toString('hex') };
  });
}

const box = await workflowSandbox();
const first = box.run('__TEMPORAL__.importWorkflows(); 0');
const moduleId = (name: string): string => {
  const id = [...box.shared(), ...first.modules].find((m) => m.endsWith(name));
  if (id === undefined) throw new Error(`no module ${name} in the bundle`);
  return id;
};
const ids = {
  verify: moduleId('src/guard/ed25519-verify.ts'),
  decision: moduleId('src/guard/decision-signature.ts'),
  result: moduleId('src/guard/tool-result-signature.ts'),
  utils: moduleId('@noble/curves/utils.js'),
};

/**
 * Runs `body` over `input` in a run of the sandbox; returns µs of process CPU per check. The input is
 * prepared in one evaluation and checked in a second, which alone is timed (it runs synchronously).
 */
function measure(body: string, input: unknown[]): number {
  box.run(`(() => {
    __TEMPORAL__.importWorkflows();
    const modules = (id) => __webpack_module_cache__[id].exports;
    const { hexToBytes } = modules(${JSON.stringify(ids.utils)});
    globalThis.__bench = {
      ed25519Verify: modules(${JSON.stringify(ids.verify)}).ed25519Verify,
      decisionSignatureProblem: modules(${JSON.stringify(ids.decision)}).decisionSignatureProblem,
      decisionClaim: modules(${JSON.stringify(ids.decision)}).decisionClaim,
      decisionMessage: modules(${JSON.stringify(ids.decision)}).decisionMessage,
      receivedResultClaim: modules(${JSON.stringify(ids.result)}).receivedResultClaim,
      keys: { default: [${JSON.stringify(publicKeyHex)}] },
      publicKey: hexToBytes(${JSON.stringify(publicKeyHex)}),
      who: ${JSON.stringify(who)},
      input: JSON.parse(${JSON.stringify(JSON.stringify(input))}).map((item) =>
        item.message === undefined ? item
          : { message: hexToBytes(item.message), signature: hexToBytes(item.signature) }),
    };
    return 0;
  })();`);
  const started = process.cpuUsage();
  const { result } = box.run(`
    (() => {
      const { ed25519Verify, decisionSignatureProblem, decisionClaim, decisionMessage, receivedResultClaim } =
        globalThis.__bench;
      const { keys, publicKey, who, input } = globalThis.__bench;
      let refused = 0;
      for (const item of input) { ${body} }
      return refused;
    })();
  `) as { result: number };
  const spent = process.cpuUsage(started);
  if (result !== 0) throw new Error(`${result} genuine signatures refused`);
  return (spent.user + spent.system) / input.length;
}

// A tree from before the cofactorless rule takes a mode, ZIP-215 for zone signatures; later ones ignore it.
const verification = `
  const ok = ed25519Verify(item.signature, item.message, publicKey, { zip215: true });
  if (!ok) refused++;`;
const decidedCall = `
  const result = receivedResultClaim({ ...item.call, ...who }, item.answer.execution);
  if (decisionSignatureProblem(keys, item.call, item.answer, result) !== undefined) refused++;`;

const message = `
  const result = receivedResultClaim({ ...item.call, ...who }, item.answer.execution);
  if (decisionMessage(decisionClaim(item.call, item.answer, result)).length < 1000) refused++;`;

// Warm-up: the tables (base point, key) and the JIT.
measure(verification, signedMessages(50, 1_000_000));
measure(decidedCall, signedCalls(50, 1_000_000));
const perVerification: number[] = [];
const perCall: number[] = [];
const perMessage: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  perVerification.push(measure(verification, signedMessages(CHECKS, round * CHECKS)));
  const calls = signedCalls(CHECKS, round * CHECKS);
  perMessage.push(measure(message, calls));
  perCall.push(measure(decidedCall, calls));
}
const load = loadavg()
  .map((l) => l.toFixed(2))
  .join(' ');
console.log(`source: ${root}`);
console.log(`load average: ${load}; ${ROUNDS} rounds × ${CHECKS} checks, interleaved`);
console.log(`Ed25519 verification (3 KiB): median ${median(perVerification).toFixed(0)} µs CPU`);
console.log(
  `its decision's message (result digest included): median ${median(perMessage).toFixed(0)} µs CPU`,
);
console.log(`decided call (executed, one signature): median ${median(perCall).toFixed(0)} µs CPU`);
const row = { bench: 'sandbox-verification', unit: 'µs' } as const;
record({ ...row, name: 'workflow sandbox: Ed25519 verification (3 KiB)', value: median(perVerification) });
record({ ...row, name: 'workflow sandbox: decided call checked (one signature)', value: median(perCall) });
