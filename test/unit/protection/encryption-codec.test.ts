import { mkdtemp, readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import {
  EncryptionCodec,
  METADATA_KEY_ID,
  METADATA_WORKFLOW_ID,
  PayloadDecryptionError,
} from '../../../src/temporal/encryption-codec.ts';
import { payloadConverter, REFUSED_PLAINTEXT_ENCODING } from '../../../src/temporal/payload-converter.ts';
import {
  DEV_KEY_FILE,
  generateKeyEntry,
  PayloadKeyError,
  parseKeyRing,
  resolvePayloadKeys,
  StaticKeyProvider,
} from '../../../src/temporal/payload-keys.ts';

const SECRET = { name: 'Dana Whitfield', email: 'dana@whitfield.example', balance: 420 };
const context = { type: 'workflow' as const, namespace: 'default', workflowId: 'run-1' };
const ring = (...entries: string[]) => new StaticKeyProvider(parseKeyRing(entries.join(','), 'test'));
const plain = () => defaultPayloadConverter.toPayload(SECRET) as Payload;
const text = (payload: Payload) => Buffer.from(payload.data ?? []).toString('latin1');
const meta = (payload: Payload, key: string) => Buffer.from(payload.metadata?.[key] ?? []).toString();

describe('payload encryption codec (AES-256-GCM)', () => {
  const oldKey = generateKeyEntry('k-old');
  const newKey = generateKeyEntry('k-new');

  it('encrypts the whole payload, names the key and the run, and decrypts it back', async () => {
    const codec = new EncryptionCodec(ring(oldKey));
    const [encoded] = (await codec.encode([plain()], context)) as [Payload];
    expect(meta(encoded, 'encoding')).toBe('binary/encrypted');
    expect(meta(encoded, METADATA_KEY_ID)).toBe('k-old');
    expect(meta(encoded, METADATA_WORKFLOW_ID)).toBe('run-1');
    for (const value of ['Dana', 'whitfield', 'json/plain', '420'])
      expect(text(encoded)).not.toContain(value);
    const [decoded] = (await codec.decode([encoded], context)) as [Payload];
    expect(defaultPayloadConverter.fromPayload(decoded)).toEqual(SECRET);
  });

  it('rotates: the new key encrypts, the old key still decrypts, a ring without it refuses', async () => {
    const before = new EncryptionCodec(ring(oldKey));
    const [old] = (await before.encode([plain()], context)) as [Payload];
    const rotated = new EncryptionCodec(ring(newKey, oldKey));
    const [fresh] = (await rotated.encode([plain()], context)) as [Payload];
    expect(meta(fresh, METADATA_KEY_ID)).toBe('k-new');
    for (const payload of [old, fresh]) {
      const [decoded] = (await rotated.decode([payload], context)) as [Payload];
      expect(defaultPayloadConverter.fromPayload(decoded)).toEqual(SECRET);
    }
    await expect(new EncryptionCodec(ring(newKey)).decode([old], context)).rejects.toThrow(
      /unknown payload key "k-old"/,
    );
  });

  it('fails closed on a flipped ciphertext bit, a relabelled key id or a payload moved to another run', async () => {
    const codec = new EncryptionCodec(ring(newKey, generateKeyEntry('k-other')));
    const [encoded] = (await codec.encode([plain()], context)) as [Payload];
    const data = Buffer.from(encoded.data ?? []);
    for (const index of [0, 20, data.length - 1]) {
      const flipped = Buffer.from(data);
      flipped[index] = (flipped[index] ?? 0) ^ 0x01;
      await expect(codec.decode([{ ...encoded, data: flipped }])).rejects.toBeInstanceOf(
        PayloadDecryptionError,
      );
    }
    const relabel = (key: string, value: string): Payload => ({
      ...encoded,
      metadata: { ...encoded.metadata, [key]: Buffer.from(value) },
    });
    await expect(codec.decode([relabel(METADATA_KEY_ID, 'k-other')])).rejects.toThrow(
      /failed authentication/,
    );
    // Relabelled to another run and decoded for that run: the authenticated data still names run-1.
    await expect(
      codec.decode([relabel(METADATA_WORKFLOW_ID, 'run-2')], { ...context, workflowId: 'run-2' }),
    ).rejects.toThrow(/failed authentication/);
    // Decoded, unchanged, as part of another run's history.
    await expect(codec.decode([encoded], { ...context, workflowId: 'run-2' })).rejects.toThrow(
      /another workflow/,
    );
    await expect(codec.decode([{ ...encoded, data: data.subarray(0, 20) }])).rejects.toThrow(/truncated/);
  });

  it('passes plaintext payloads through on decode (histories recorded before encryption)', async () => {
    const codec = new EncryptionCodec(ring(newKey));
    const payload = plain();
    expect(await codec.decode([payload], context)).toEqual([payload]);
  });

  it('uses a fresh nonce per payload', async () => {
    const codec = new EncryptionCodec(ring(newKey));
    const [a, b] = (await codec.encode([plain(), plain()], context)) as [Payload, Payload];
    expect(text(a)).not.toBe(text(b));
  });
});

describe('payload keys', () => {
  it('parses keyId:base64 entries and refuses bad ones without quoting key material', () => {
    const entry = generateKeyEntry('k1');
    expect(parseKeyRing(`# comment\n${entry}\n\n`, 'file').map((k) => k.id)).toEqual(['k1']);
    const short = `k2:${Buffer.alloc(16).toString('base64')}`;
    expect(() => parseKeyRing(short, 'WARDEN_PAYLOAD_KEYS')).toThrow(/must be 32 bytes/);
    expect(() => parseKeyRing('no-colon', 'WARDEN_PAYLOAD_KEYS')).toThrow(PayloadKeyError);
    expect(() => parseKeyRing(`k1:${entry.slice(3, -2)}!!`, 'x')).toThrow(PayloadKeyError);
    expect(() => new StaticKeyProvider(parseKeyRing(`${entry},${entry}`, 'x'))).toThrow(/appears twice/);
    try {
      parseKeyRing(short, 'x');
    } catch (error) {
      expect(String(error)).not.toContain(short.slice(3));
    }
  });

  it('production requires configured keys; development creates one key file (0600) shared by concurrent callers', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'warden-keys-'));
    const config = { WARDEN_MODE: 'development' as const, WARDEN_DATA_DIR: dir };
    await expect(
      resolvePayloadKeys({
        ...config,
        WARDEN_MODE: 'production',
        WARDEN_PAYLOAD_KEYS: undefined,
        WARDEN_PAYLOAD_KEY_FILE: undefined,
      }),
    ).rejects.toThrow(/production needs WARDEN_PAYLOAD_KEYS/);
    const rings = await Promise.all(
      Array.from({ length: 8 }, () =>
        resolvePayloadKeys({ ...config, WARDEN_PAYLOAD_KEYS: undefined, WARDEN_PAYLOAD_KEY_FILE: undefined }),
      ),
    );
    const ids = new Set(rings.map((keys) => keys[0]?.id));
    expect(ids.size).toBe(1);
    const file = path.join(dir, DEV_KEY_FILE);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, 'utf8')).toContain([...ids][0]);
    const fromEnv = generateKeyEntry('env-key');
    const keys = await resolvePayloadKeys({
      ...config,
      WARDEN_PAYLOAD_KEYS: fromEnv,
      WARDEN_PAYLOAD_KEY_FILE: file,
    });
    expect(keys.map((k) => k.id)).toEqual(['env-key']);
  });

  it('refusePlaintext (production workers): a plaintext payload becomes a refusal that throws when used; ciphertext still decodes', async () => {
    const strict = new EncryptionCodec(ring(generateKeyEntry('k-strict')), { refusePlaintext: true });
    const [refused] = (await strict.decode([plain()], context)) as [Payload];
    expect(meta(refused, 'encoding')).toBe(REFUSED_PLAINTEXT_ENCODING);
    for (const value of ['Dana', 'whitfield', '420']) expect(text(refused)).not.toContain(value);
    expect(() => payloadConverter.fromPayload(refused)).toThrow(
      /refused an unencrypted payload for workflow run-1: this production worker accepts only payloads encrypted/,
    );
    const [encrypted] = (await strict.encode([plain()], context)) as [Payload];
    const [decoded] = (await strict.decode([encrypted], context)) as [Payload];
    expect(payloadConverter.fromPayload(decoded)).toEqual(SECRET);
    // Without the option (clients, audit, the codec server) plaintext passes through as before.
    const [passed] = (await new EncryptionCodec(ring(generateKeyEntry('k-lenient'))).decode(
      [plain()],
      context,
    )) as [Payload];
    expect(payloadConverter.fromPayload(passed)).toEqual(SECRET);
  });
});
