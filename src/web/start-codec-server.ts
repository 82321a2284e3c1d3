import type { Client } from '@temporalio/client';
import { ApproverAuthenticator } from '../approvals/auth/authenticate.ts';
import { RunReadAccess } from '../audit/run-access.ts';
import type { Authorizer } from '../authz/types.ts';
import type { WardenConfig } from '../config/env.ts';
import { EncryptionCodec } from '../temporal/encryption-codec.ts';
import type { KeyProvider } from '../temporal/payload-keys.ts';
import { createCodecServer } from './codec-server.ts';

export interface CodecServer {
  /** The endpoint to give Temporal Web (`--ui-codec-endpoint`) and the Temporal CLI (`--codec-endpoint`). */
  url: string;
  tokens: number;
  close(): Promise<void>;
}

/** Origins of the local Temporal Web `warden dev` starts, unless WARDEN_CODEC_CORS_ORIGINS says otherwise. */
export function codecCorsOrigins(config: WardenConfig): string[] {
  if (config.WARDEN_CODEC_CORS_ORIGINS !== undefined) {
    return config.WARDEN_CODEC_CORS_ORIGINS.split(',')
      .map((origin) => origin.trim())
      .filter((origin) => origin !== '');
  }
  const port = config.WARDEN_TEMPORAL_UI_PORT;
  return [`http://localhost:${port}`, `http://127.0.0.1:${port}`];
}

/**
 * The URL the codec server is reached at. `localhost` rather than 127.0.0.1: Temporal Web is served
 * as localhost, and a sign-in cookie only travels between pages of the same site.
 */
export function codecServerUrl(port: number, host = '127.0.0.1'): string {
  const shown = host === '127.0.0.1' || host === '0.0.0.0' ? 'localhost' : host;
  return `http://${shown}:${port}`;
}

/** Serves Warden's codec endpoint: what `warden codec-server` and `warden dev` start. */
export async function startCodecServer(
  config: WardenConfig,
  dependencies: { client: Client; authorizer: Pick<Authorizer, 'authorize'>; keys: KeyProvider },
  options: { host?: string; port?: number; log?: (line: string) => void } = {},
): Promise<CodecServer> {
  const authenticator = ApproverAuthenticator.fromConfig(config);
  const app = await createCodecServer({
    codec: new EncryptionCodec(dependencies.keys),
    authenticator,
    access: new RunReadAccess(dependencies.client, dependencies.authorizer),
    namespace: config.TEMPORAL_NAMESPACE,
    corsOrigins: codecCorsOrigins(config),
    secureCookies: config.WARDEN_MODE === 'production',
    ...(options.log ? { log: options.log } : {}),
  });
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? config.WARDEN_CODEC_PORT;
  await app.listen({ host, port });
  const address = app.server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return {
    url: codecServerUrl(bound, host),
    tokens: authenticator.configuredTokens,
    close: () => app.close(),
  };
}
