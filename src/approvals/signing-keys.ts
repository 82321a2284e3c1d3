import { createHash, sign } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex } from '@noble/curves/utils.js';
import type { WardenConfig } from '../config/env.ts';
import { nativeSigningKey } from '../crypto/native-ed25519.ts';
import { KEY_ID, type PublicKeyRing, signedMessage } from '../guard/signatures.ts';

export class SigningKeyError extends Error {
  override name = 'SigningKeyError';
}

/** The private half, held by the services that authenticate people (approvals, run starts). */
export interface DecisionSigner {
  keyId: string;
  /** Hex of the 32-byte Ed25519 public key. */
  publicKey: string;
  /** Ed25519 signature (hex) over `domain` and the canonical JSON of `payload`. */
  sign(domain: string, payload: unknown): string;
}

const BARE_KEY = /^[A-Za-z0-9+/_-]{43}=?$/;
const DEV_KEY_FILE = 'approval-signing-key';

/** A key id that follows from the public key: the same key gets the same id everywhere. */
export function fingerprintKeyId(publicKey: Uint8Array): string {
  return `ed25519-${createHash('sha256').update(publicKey).digest('hex').slice(0, 12)}`;
}

function decodeKey(text: string, where: string): Uint8Array {
  const bytes = Buffer.from(text, text.includes('-') || text.includes('_') ? 'base64url' : 'base64');
  if (bytes.length !== 32) throw new SigningKeyError(`${where}: an Ed25519 key is 32 bytes of base64`);
  return new Uint8Array(bytes);
}

/** `keyId=base64` or a bare base64 key (its id is then its fingerprint). */
function parseEntry(entry: string, where: string, publicOf: (key: Uint8Array) => Uint8Array) {
  const text = entry.trim();
  if (BARE_KEY.test(text)) {
    const key = decodeKey(text, where);
    return { keyId: fingerprintKeyId(publicOf(key)), key };
  }
  const eq = text.indexOf('=');
  const keyId = eq === -1 ? '' : text.slice(0, eq).trim();
  if (!KEY_ID.test(keyId)) {
    throw new SigningKeyError(`${where}: expected keyId=<base64 key> (key ids: letters, digits, . _ -)`);
  }
  return { keyId, key: decodeKey(text.slice(eq + 1).trim(), where) };
}

/** The setting itself, or the contents of the file it names. */
function settingText(setting: string, name: string): { text: string; where: string } {
  if (existsSync(setting)) return { text: readFileSync(setting, 'utf8'), where: `${name} file ${setting}` };
  return { text: setting, where: name };
}

/** Signs with node:crypto (OpenSSL), as the zones' signer does (see nativeSigningKey). */
export function signerFromSeed(keyId: string, seed: Uint8Array): DecisionSigner {
  const { key, publicKey } = nativeSigningKey(seed);
  return {
    keyId,
    publicKey: bytesToHex(publicKey),
    sign: (domain, payload) => sign(null, signedMessage(domain, payload), key).toString('hex'),
  };
}

/** WARDEN_APPROVAL_SIGNING_KEY: `keyId=<base64 32-byte seed>`, a bare seed, or a file holding either. */
export function parseSigningKey(setting: string, name = 'WARDEN_APPROVAL_SIGNING_KEY'): DecisionSigner {
  const { text, where } = settingText(setting.trim(), name);
  const { keyId, key } = parseEntry(text, where, (seed) => ed25519.getPublicKey(seed));
  return signerFromSeed(keyId, key);
}

/**
 * WARDEN_APPROVAL_PUBLIC_KEYS: `keyId=<base64 public key>` entries separated by commas or new lines
 * (lines starting with # are comments), or a file holding them. Every listed key is accepted.
 */
export function parsePublicKeys(setting: string, name = 'WARDEN_APPROVAL_PUBLIC_KEYS'): PublicKeyRing {
  const { text, where } = settingText(setting.trim(), name);
  const ring: PublicKeyRing = {};
  const entries = text
    .split(/[,\n]/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  for (const [index, entry] of entries.entries()) {
    const { keyId, key } = parseEntry(entry, `${where} entry ${index + 1}`, (k) => k);
    if (Object.hasOwn(ring, keyId)) throw new SigningKeyError(`${where}: key id ${keyId} is listed twice`);
    ring[keyId] = bytesToHex(key);
  }
  if (Object.keys(ring).length === 0) throw new SigningKeyError(`${where}: no public keys`);
  return ring;
}

/** A new key pair, as the two settings take them. */
export function generateSigningKey(keyId?: string): { signingKey: string; publicKey: string; keyId: string } {
  const seed = ed25519.utils.randomSecretKey();
  const publicKey = ed25519.getPublicKey(seed);
  const id = keyId ?? fingerprintKeyId(publicKey);
  if (!KEY_ID.test(id)) throw new SigningKeyError(`invalid key id "${id}": letters, digits, . _ -`);
  return {
    keyId: id,
    signingKey: `${id}=${Buffer.from(seed).toString('base64')}`,
    publicKey: `${id}=${Buffer.from(publicKey).toString('base64')}`,
  };
}

/** Development only: one key per data directory (mode 0600), created by whichever process needs it first. */
async function developmentSigner(config: WardenConfig): Promise<DecisionSigner> {
  const file = path.join(config.WARDEN_DATA_DIR, DEV_KEY_FILE);
  try {
    return parseSigningKey((await readFile(file, 'utf8')).trim(), file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(config.WARDEN_DATA_DIR, { recursive: true });
  const { signingKey } = generateSigningKey();
  try {
    // `wx`: if another process created it meanwhile, read theirs instead of overwriting.
    await writeFile(file, `${signingKey}\n`, { mode: 0o600, flag: 'wx' });
    await chmod(file, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return parseSigningKey((await readFile(file, 'utf8')).trim(), file);
}

/**
 * The key the approval service and `warden run` sign with. Production requires
 * WARDEN_APPROVAL_SIGNING_KEY; development creates one in WARDEN_DATA_DIR so that the CLI and the
 * workers of one machine agree without any setup.
 */
export async function resolveDecisionSigner(config: WardenConfig): Promise<DecisionSigner> {
  if (config.WARDEN_APPROVAL_SIGNING_KEY !== undefined)
    return parseSigningKey(config.WARDEN_APPROVAL_SIGNING_KEY);
  if (config.WARDEN_MODE === 'production') {
    throw new SigningKeyError(
      'WARDEN_MODE=production needs WARDEN_APPROVAL_SIGNING_KEY to sign approvals and run starts (generate one: warden keys generate)',
    );
  }
  return developmentSigner(config);
}

/**
 * The public keys the workers accept: WARDEN_APPROVAL_PUBLIC_KEYS, else the public half of
 * WARDEN_APPROVAL_SIGNING_KEY, else (development) the data directory's key.
 */
export async function resolvePublicKeyRing(config: WardenConfig): Promise<PublicKeyRing> {
  if (config.WARDEN_APPROVAL_PUBLIC_KEYS !== undefined)
    return parsePublicKeys(config.WARDEN_APPROVAL_PUBLIC_KEYS);
  if (config.WARDEN_APPROVAL_SIGNING_KEY === undefined && config.WARDEN_MODE === 'production') {
    throw new SigningKeyError(
      'WARDEN_MODE=production needs WARDEN_APPROVAL_PUBLIC_KEYS (keyId=<base64 public key>, …) on the workers',
    );
  }
  const signer = await resolveDecisionSigner(config);
  return { [signer.keyId]: signer.publicKey };
}
