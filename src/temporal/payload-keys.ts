import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { WardenConfig } from '../config/env.ts';

/** One AES-256 key of the payload codec. The id travels in each payload's metadata; the key never does. */
export interface DataKey {
  id: string;
  /** 32 bytes. */
  key: Uint8Array;
}

/**
 * Where the payload codec gets its keys. The built-in provider holds a static key ring (from the
 * environment or a key file); a KMS-backed provider returns data keys it unwrapped or generated, and
 * may cache them. `activeKey` may change over time (rotation): payloads name the key they were
 * encrypted with, so every key still in `key()` keeps decrypting older payloads.
 */
export interface KeyProvider {
  /** The key new payloads are encrypted with. */
  activeKey(): Promise<DataKey>;
  /** A key by id, for decryption; `undefined` when this provider does not know it (fail closed). */
  key(id: string): Promise<DataKey | undefined>;
}

export class PayloadKeyError extends Error {
  override name = 'PayloadKeyError';
}

const KEY_BYTES = 32;
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** A fixed set of keys: the first one encrypts, all of them decrypt. */
export class StaticKeyProvider implements KeyProvider {
  private readonly byId: Map<string, DataKey>;
  private readonly active: DataKey;

  constructor(keys: DataKey[]) {
    const [active] = keys;
    if (active === undefined) throw new PayloadKeyError('the payload key ring is empty');
    this.byId = new Map();
    for (const key of keys) {
      if (!KEY_ID.test(key.id)) throw new PayloadKeyError(`invalid payload key id "${key.id}"`);
      if (key.key.length !== KEY_BYTES) {
        throw new PayloadKeyError(
          `payload key "${key.id}" must be ${KEY_BYTES} bytes, got ${key.key.length}`,
        );
      }
      if (this.byId.has(key.id)) throw new PayloadKeyError(`payload key id "${key.id}" appears twice`);
      this.byId.set(key.id, key);
    }
    this.active = active;
  }

  get activeKeyId(): string {
    return this.active.id;
  }

  async activeKey(): Promise<DataKey> {
    return this.active;
  }

  async key(id: string): Promise<DataKey | undefined> {
    return this.byId.get(id);
  }
}

/**
 * Parses `keyId:base64` entries separated by commas or newlines (blank lines and `#` comments
 * skipped): the format of WARDEN_PAYLOAD_KEYS and of WARDEN_PAYLOAD_KEY_FILE. `where` names the
 * source in errors, which never quote key material.
 */
export function parseKeyRing(text: string, where: string): DataKey[] {
  const entries = text
    .split(/[,\n]/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  return entries.map((entry, index) => {
    const colon = entry.indexOf(':');
    const id = colon === -1 ? '' : entry.slice(0, colon).trim();
    if (!KEY_ID.test(id)) {
      throw new PayloadKeyError(
        `${where} entry ${index + 1}: expected keyId:base64 (id of A-Z a-z 0-9 . _ -)`,
      );
    }
    const encoded = entry.slice(colon + 1).trim();
    const key = Buffer.from(encoded, 'base64');
    // Re-encoding must give the text back: Buffer.from silently skips characters outside base64.
    if (key.length !== KEY_BYTES || key.toString('base64') !== encoded) {
      throw new PayloadKeyError(
        `${where} entry ${index + 1} ("${id}"): the key must be ${KEY_BYTES} bytes in base64`,
      );
    }
    return { id, key: new Uint8Array(key) };
  });
}

/** A fresh entry in key-ring format, e.g. for a key file or WARDEN_PAYLOAD_KEYS. */
export function generateKeyEntry(id = `k-${randomBytes(4).toString('hex')}`): string {
  return `${id}:${randomBytes(KEY_BYTES).toString('base64')}`;
}

export const DEV_KEY_FILE = 'payload-keys';

/**
 * Creates the development key file once per data directory (mode 0600). The key is written to a
 * temporary file and linked into place, so concurrent processes either create it or read the one
 * that won, never a half-written file.
 */
async function developmentKeyFile(dataDir: string): Promise<string> {
  const file = path.join(dataDir, DEV_KEY_FILE);
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true });
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  const text = `# Development payload keys (keyId:base64); the first line encrypts.\n${generateKeyEntry()}\n`;
  await writeFile(temporary, text, { mode: 0o600, flag: 'wx' });
  try {
    await link(temporary, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(temporary);
  }
  return readFile(file, 'utf8');
}

type KeyConfig = Pick<
  WardenConfig,
  'WARDEN_PAYLOAD_KEYS' | 'WARDEN_PAYLOAD_KEY_FILE' | 'WARDEN_MODE' | 'WARDEN_DATA_DIR'
>;

/**
 * The key ring from WARDEN_PAYLOAD_KEYS, else WARDEN_PAYLOAD_KEY_FILE; production requires one of
 * them. In development a key file is created under WARDEN_DATA_DIR, so the CLI, the workers and the
 * codec server of one machine share it without any setup.
 */
export async function resolvePayloadKeys(config: KeyConfig): Promise<DataKey[]> {
  if (config.WARDEN_PAYLOAD_KEYS !== undefined) {
    return parseKeyRing(config.WARDEN_PAYLOAD_KEYS, 'WARDEN_PAYLOAD_KEYS');
  }
  if (config.WARDEN_PAYLOAD_KEY_FILE !== undefined) {
    let text: string;
    try {
      text = await readFile(config.WARDEN_PAYLOAD_KEY_FILE, 'utf8');
    } catch {
      throw new PayloadKeyError(`WARDEN_PAYLOAD_KEY_FILE: cannot read ${config.WARDEN_PAYLOAD_KEY_FILE}`);
    }
    return parseKeyRing(text, `WARDEN_PAYLOAD_KEY_FILE ${config.WARDEN_PAYLOAD_KEY_FILE}`);
  }
  if (config.WARDEN_MODE === 'production') {
    throw new PayloadKeyError('WARDEN_MODE=production needs WARDEN_PAYLOAD_KEYS or WARDEN_PAYLOAD_KEY_FILE');
  }
  const file = path.join(config.WARDEN_DATA_DIR, DEV_KEY_FILE);
  return parseKeyRing(await developmentKeyFile(config.WARDEN_DATA_DIR), file);
}
