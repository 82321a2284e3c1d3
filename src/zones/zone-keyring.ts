import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex } from '@noble/curves/utils.js';
import type { WardenConfig } from '../config/env.ts';
import type { ZonePublicKeys } from '../guard/tool-result-signature.ts';
import { type ResultSigner, resultSigner } from './result-signer.ts';

export class ZoneKeyError extends Error {
  override name = 'ZoneKeyError';
}

const HEX_KEY = /^[0-9a-f]{64}$/;

/**
 * The Ed25519 keys that bind tool results to the zone's workers, from WARDEN_ZONE_KEY_DIR (default
 * `<WARDEN_DATA_DIR>/zone-keys`): `<zone>.key` holds the zone's secret seed (hex) and belongs only on
 * that zone's workers; `<zone>.pub` lists the public keys the main worker accepts (one hex key a
 * line, several while a key is rotated). Development creates a missing pair; production refuses.
 */
export class ZoneKeyring {
  private readonly secrets = new Map<string, string>();
  private readonly signers = new Map<string, ResultSigner>();

  constructor(
    readonly dir: string,
    private readonly mode: WardenConfig['WARDEN_MODE'],
  ) {}

  static fromConfig(config: Pick<WardenConfig, 'WARDEN_ZONE_KEY_DIR' | 'WARDEN_DATA_DIR' | 'WARDEN_MODE'>) {
    return new ZoneKeyring(
      config.WARDEN_ZONE_KEY_DIR ?? path.join(config.WARDEN_DATA_DIR, 'zone-keys'),
      config.WARDEN_MODE,
    );
  }

  /** The zone's secret seed (hex), for its tool worker. */
  secretKey(zone: string): string {
    const known = this.secrets.get(zone);
    if (known !== undefined) return known;
    const file = this.file(zone, 'key');
    if (!existsSync(file)) this.create(zone);
    const secret = readFileSync(file, 'utf8').trim().toLowerCase();
    if (!HEX_KEY.test(secret)) throw new ZoneKeyError(`${file} must hold a 32-byte Ed25519 seed in hex`);
    this.secrets.set(zone, secret);
    return secret;
  }

  /** The zone's result signer, for its tool worker: the key is read and imported once. */
  signer(zone: string): ResultSigner {
    let signer = this.signers.get(zone);
    if (signer === undefined) {
      signer = resultSigner(this.secretKey(zone));
      this.signers.set(zone, signer);
    }
    return signer;
  }

  /** The public keys the run accepts results of each zone with. */
  publicKeys(zones: readonly string[]): ZonePublicKeys {
    const keys: ZonePublicKeys = {};
    for (const zone of zones) {
      const file = this.file(zone, 'pub');
      if (!existsSync(file)) {
        if (existsSync(this.file(zone, 'key')) && this.mode !== 'production') awaitFile(file);
        else this.create(zone);
      }
      const lines = readFileSync(file, 'utf8')
        .split('\n')
        .map((line) => line.trim().toLowerCase())
        .filter((line) => line !== '' && !line.startsWith('#'));
      const bad = lines.find((line) => !HEX_KEY.test(line));
      if (bad !== undefined || lines.length === 0)
        throw new ZoneKeyError(`${file} must list Ed25519 public keys in hex, one a line`);
      keys[zone] = lines;
    }
    return keys;
  }

  private file(zone: string, kind: 'key' | 'pub'): string {
    if (!/^[a-z0-9][a-z0-9_-]*$/.test(zone)) throw new ZoneKeyError(`bad trust zone name ${zone}`);
    return path.join(this.dir, `${zone}.${kind}`);
  }

  private create(zone: string): void {
    const keyFile = this.file(zone, 'key');
    const pubFile = this.file(zone, 'pub');
    if (this.mode === 'production') {
      throw new ZoneKeyError(
        `WARDEN_MODE=production needs the key of trust zone ${zone}: ${existsSync(keyFile) ? pubFile : keyFile}`,
      );
    }
    mkdirSync(this.dir, { recursive: true });
    const secret = ed25519.utils.randomSecretKey();
    try {
      // `wx`: the process that writes the secret first creates the pair; the others wait for it.
      writeFileSync(keyFile, `${bytesToHex(secret)}\n`, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      awaitFile(pubFile);
      return;
    }
    chmodSync(keyFile, 0o600);
    writeFileSync(pubFile, `${bytesToHex(ed25519.getPublicKey(secret))}\n`, { flag: 'wx' });
  }
}

/** Waits (briefly, synchronously) for the process creating a development key pair to finish it. */
function awaitFile(file: string): void {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let waited = 0; !existsSync(file); waited += 20) {
    if (waited > 2_000) throw new ZoneKeyError(`${file} is missing: the zone has only half a key pair`);
    Atomics.wait(pause, 0, 0, 20);
  }
}
