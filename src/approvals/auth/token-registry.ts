import { createHash, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { OsoValue } from '../../authz/types.ts';
import { ApproverAuthError, parseUserRef } from './approver-identity.ts';
import { estimateTokenBits } from './token-strength.ts';

/** One configured approver token. Only the SHA-256 of the token is kept in memory. */
export interface TokenEntry {
  sha256: Buffer;
  user: OsoValue;
  label: string;
  expiresAt?: Date;
  /** Estimated strength of an inline token (token-strength.ts); unknown for hashed entries. */
  strengthBits?: number;
}

export const MIN_TOKEN_LENGTH = 8;

const fileSchema = z.object({
  approvers: z.array(
    z.object({
      user: z.string().min(1),
      sha256: z.string().regex(/^[0-9a-f]{64}$/i, 'sha256 must be 64 hex digits'),
      label: z.string().optional(),
      expiresAt: z.coerce.date().optional(),
    }),
  ),
});

export function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * Reads WARDEN_APPROVER_TOKENS: either inline `token=User:bob,token2=User:carol@2026-12-31T00:00:00Z`
 * (hashed on load), or the path of a YAML/JSON file whose entries hold only SHA-256 hashes:
 * `approvers: [{ user: User:bob, sha256: <hex of sha256(token)>, expiresAt?: ISO date, label? }]`.
 */
export function loadTokenRegistry(setting: string | undefined): TokenEntry[] {
  if (setting === undefined || setting.trim() === '') return [];
  const value = setting.trim();
  if (!value.includes('=')) return loadTokenFile(value);
  return value.split(',').map((part, index) => parseInlineEntry(part.trim(), index));
}

function parseInlineEntry(part: string, index: number): TokenEntry {
  const eq = part.indexOf('=');
  const token = part.slice(0, eq);
  const rest = part.slice(eq + 1);
  if (token.length < MIN_TOKEN_LENGTH) {
    throw new ApproverAuthError(
      `WARDEN_APPROVER_TOKENS entry ${index + 1}: tokens need at least ${MIN_TOKEN_LENGTH} characters`,
    );
  }
  const at = rest.indexOf('@');
  const userText = at === -1 ? rest : rest.slice(0, at);
  const entry: TokenEntry = {
    sha256: sha256(token),
    user: parseUserRef(userText),
    label: `inline#${index + 1}`,
    strengthBits: estimateTokenBits(token),
  };
  if (at !== -1) entry.expiresAt = parseExpiry(rest.slice(at + 1), `entry ${index + 1}`);
  return entry;
}

function parseExpiry(text: string, where: string): Date {
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) {
    throw new ApproverAuthError(`WARDEN_APPROVER_TOKENS ${where}: invalid expiry "${text}"`);
  }
  return date;
}

function loadTokenFile(file: string): TokenEntry[] {
  if (!existsSync(file)) {
    throw new ApproverAuthError(
      `WARDEN_APPROVER_TOKENS: no such file ${file} (or write inline token=User:id)`,
    );
  }
  const parsed = fileSchema.safeParse(parseYaml(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ApproverAuthError(
      `WARDEN_APPROVER_TOKENS file ${file}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'invalid'}`.trim(),
    );
  }
  return parsed.data.approvers.map((entry, index) => ({
    sha256: Buffer.from(entry.sha256, 'hex'),
    user: parseUserRef(entry.user),
    label: entry.label ?? `${file}#${index + 1}`,
    ...(entry.expiresAt ? { expiresAt: entry.expiresAt } : {}),
  }));
}

/**
 * Finds the entry for a presented token. Every entry is compared (constant time per entry, no early
 * exit), so timing reveals neither which token matched nor how much of it.
 */
export function findToken(registry: TokenEntry[], token: string): TokenEntry | undefined {
  const presented = sha256(token);
  let match: TokenEntry | undefined;
  for (const entry of registry) {
    if (timingSafeEqual(entry.sha256, presented) && match === undefined) match = entry;
  }
  return match;
}
