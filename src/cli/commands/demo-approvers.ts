import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ApproverIdentity } from '../../approvals/auth/approver-identity.ts';
import { ApproverAuthError } from '../../approvals/auth/approver-identity.ts';
import { ApproverAuthenticator } from '../../approvals/auth/authenticate.ts';
import { sha256 } from '../../approvals/auth/token-registry.ts';
import type { WardenConfig } from '../../config/env.ts';
import { CliError } from '../errors.ts';

const MINTED_LIFETIME_MS = 24 * 60 * 60_000;

export interface MintedToken {
  user: string;
  token: string;
}

export interface DemoApprovers {
  /** The configuration the demo runs with: its WARDEN_APPROVER_TOKENS knows the minted tokens. */
  config: WardenConfig;
  authenticator: ApproverAuthenticator;
  /** Tokens created for this process; empty when WARDEN_APPROVER_TOKENS was configured. */
  minted: MintedToken[];
  /** The hash file other processes (`warden approve`) point WARDEN_APPROVER_TOKENS at. */
  tokenFile?: string;
  /** The token the demo approves with; undefined when only a person will approve (--interactive). */
  approverToken?: string;
  /** Authenticates the demo's own approval exactly as `warden approve --token` does. */
  demoApprover(): ApproverIdentity;
  /** Deletes the minted tokens' hash file: they die with the demo. */
  dispose(): Promise<void>;
}

/**
 * Sets up who may approve during the demo. Configured tokens are used as they are (the demo's own
 * approval needs one: --approver-token or WARDEN_TOKEN). Otherwise the demo mints one random token
 * each for the demo's approvers, valid for this process only, and writes just their SHA-256 hashes to a file
 * in the data directory, so `warden approve --token` in another terminal can verify them too.
 */
export async function prepareDemoApprovers(
  config: WardenConfig,
  options: {
    approverToken?: string;
    interactive: boolean;
    /** The user the demo approves as, and the others it mints tokens for. */
    approver: string;
    alsoApprovers: string[];
  },
  env: NodeJS.ProcessEnv,
): Promise<DemoApprovers> {
  if (config.WARDEN_APPROVER_TOKENS) {
    const approverToken = options.approverToken ?? env.WARDEN_TOKEN;
    if (!approverToken && !options.interactive) {
      throw new CliError(
        'WARDEN_APPROVER_TOKENS is set: give the demo an approver token (--approver-token or WARDEN_TOKEN), or use --interactive',
      );
    }
    return withAuthenticator(config, [], undefined, approverToken);
  }
  if (options.approverToken) {
    throw new CliError(
      '--approver-token needs WARDEN_APPROVER_TOKENS (the demo mints its own tokens otherwise)',
    );
  }
  const mintFor = [options.approver, ...options.alsoApprovers.filter((u) => u !== options.approver)];
  const minted = mintFor.map((user) => ({ user, token: randomBytes(24).toString('base64url') }));
  const expiresAt = new Date(Date.now() + MINTED_LIFETIME_MS).toISOString();
  const tokenFile = path.resolve(config.WARDEN_DATA_DIR, `demo-approvers-${process.pid}.json`);
  const approvers = minted.map(({ user, token }) => ({
    user: `User:${user}`,
    sha256: sha256(token).toString('hex'),
    label: `demo-${user}`,
    expiresAt,
  }));
  await mkdir(config.WARDEN_DATA_DIR, { recursive: true });
  await writeFile(tokenFile, `${JSON.stringify({ approvers }, null, 2)}\n`, { mode: 0o600 });
  const demoToken = minted.find((m) => m.user === options.approver)?.token;
  return withAuthenticator(
    { ...config, WARDEN_APPROVER_TOKENS: tokenFile },
    minted,
    tokenFile,
    options.interactive ? undefined : demoToken,
  );
}

function withAuthenticator(
  config: WardenConfig,
  minted: MintedToken[],
  tokenFile: string | undefined,
  approverToken: string | undefined,
): DemoApprovers {
  let authenticator: ApproverAuthenticator;
  try {
    authenticator = ApproverAuthenticator.fromConfig(config);
  } catch (error) {
    if (error instanceof ApproverAuthError) throw new CliError(error.message);
    throw error;
  }
  return {
    config,
    authenticator,
    minted,
    ...(tokenFile ? { tokenFile } : {}),
    ...(approverToken ? { approverToken } : {}),
    demoApprover() {
      try {
        return authenticator.authenticate({ token: approverToken });
      } catch (error) {
        if (error instanceof ApproverAuthError) throw new CliError(`demo approver: ${error.message}`, 1);
        throw error;
      }
    },
    dispose: async () => {
      if (tokenFile) await rm(tokenFile, { force: true });
    },
  };
}
