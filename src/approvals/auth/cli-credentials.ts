import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { ApproverCredentials } from './authenticate.ts';

export interface CredentialOptions {
  token?: string;
  tokenFile?: string;
  as?: string;
}

/** Adds the credential options of every command that acts as a person (approving, starting runs). */
export function withCredentialOptions(command: Command): Command {
  return command
    .option('--token <token>', 'your token: configured, or an OIDC JWT (default: $WARDEN_TOKEN)')
    .option('--token-file <file>', 'read the token from a file')
    .option('--as <user>', 'development mode only: act as this user without a token');
}

/** Token from --token, then --token-file, then WARDEN_TOKEN; `--as` passes through for dev mode. */
export function credentialsFrom(options: CredentialOptions, env: NodeJS.ProcessEnv): ApproverCredentials {
  const credentials: ApproverCredentials = {};
  // An explicit --as wins over a token inherited from the environment (explicit --token + --as is refused).
  const token =
    options.token ??
    (options.tokenFile ? readFileSync(options.tokenFile, 'utf8').trim() : undefined) ??
    (options.as === undefined ? env.WARDEN_TOKEN : undefined);
  if (token !== undefined && token.trim() !== '') credentials.token = token.trim();
  if (options.as !== undefined) credentials.as = options.as;
  return credentials;
}
