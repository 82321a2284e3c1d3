import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { WardenConfig } from '../config/env.ts';

export class ApprovalSecretError extends Error {
  override name = 'ApprovalSecretError';
}

const MIN_LENGTH = 32;

/**
 * The workers' shared key for guard grants. Production requires WARDEN_APPROVAL_SECRET; in
 * development a random key is created once per data directory (mode 0600) so the CLI and the worker
 * on one machine agree without any setup.
 */
export async function resolveApprovalSecret(config: WardenConfig): Promise<string> {
  const fromEnv = config.WARDEN_APPROVAL_SECRET;
  if (fromEnv !== undefined) {
    if (fromEnv.length < MIN_LENGTH) {
      throw new ApprovalSecretError(`WARDEN_APPROVAL_SECRET must be at least ${MIN_LENGTH} characters`);
    }
    return fromEnv;
  }
  if (config.WARDEN_MODE === 'production') {
    throw new ApprovalSecretError('WARDEN_MODE=production needs WARDEN_APPROVAL_SECRET');
  }
  const file = path.join(config.WARDEN_DATA_DIR, 'approval-secret');
  try {
    const stored = (await readFile(file, 'utf8')).trim();
    if (stored.length >= MIN_LENGTH) return stored;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(config.WARDEN_DATA_DIR, { recursive: true });
  const secret = randomBytes(32).toString('hex');
  try {
    // `wx`: if another process created it meanwhile, read theirs instead of overwriting.
    await writeFile(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    await chmod(file, 0o600);
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return (await readFile(file, 'utf8')).trim();
  }
}
