import { readFileSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import { ApproverAuthenticator } from '../approvals/auth/authenticate.ts';
import { createAuthorizer } from '../authz/create-authorizer.ts';
import { watchPolicyDir } from '../authz/policy-watcher.ts';
import type { Authorizer } from '../authz/types.ts';
import type { WardenConfig } from '../config/env.ts';
import type { ToolRegistry } from '../tools/define-tool.ts';
import { createApprovalsServer } from './approvals-server.ts';
import { HostAllowList } from './host-allow-list.ts';
import { ApprovalVisibility } from './need-to-know.ts';
import { TemporalApprovalsBackend } from './temporal-backend.ts';

export interface ApprovalsWeb {
  url: string;
  /** How many approver tokens WARDEN_APPROVER_TOKENS configures (0: nobody can sign in). */
  tokens: number;
  /** Whether the session cookie is Secure (and `__Host-` prefixed). */
  secureCookies: boolean;
  /** The Host names the page answers to. */
  hosts: string;
  close(): Promise<void>;
}

export interface StartApprovalsWebOptions {
  host?: string;
  port?: number;
  /** The PDP deciding who sees which call; default: one of its own on WARDEN_POLICY_DIR, reloaded on change. */
  authorizer?: Authorizer;
  /** The project's tools, for tools authorized against a resource derived from their arguments. */
  tools?: ToolRegistry;
}

/** WARDEN_WEB_SECURE_COOKIES: `auto` means whenever the page serves TLS or runs in production mode. */
export function secureCookiesFor(config: WardenConfig): boolean {
  switch (config.WARDEN_WEB_SECURE_COOKIES) {
    case 'always':
      return true;
    case 'never':
      return false;
    case 'auto':
      return config.WARDEN_WEB_TLS_CERT !== undefined || config.WARDEN_MODE === 'production';
  }
}

/** Serves the approvals page for a Warden deployment; what `warden web`, `warden dev` and the demo start. */
export async function startApprovalsWeb(
  config: WardenConfig,
  client: Client,
  options: StartApprovalsWebOptions = {},
): Promise<ApprovalsWeb> {
  const authenticator = ApproverAuthenticator.fromConfig(config);
  const hosts = new HostAllowList(config.WARDEN_WEB_ALLOWED_HOSTS);
  const tls =
    config.WARDEN_WEB_TLS_CERT && config.WARDEN_WEB_TLS_KEY
      ? { cert: readFileSync(config.WARDEN_WEB_TLS_CERT), key: readFileSync(config.WARDEN_WEB_TLS_KEY) }
      : undefined;
  const ownAuthorizer = options.authorizer === undefined ? await createAuthorizer(config) : undefined;
  const authorizer = options.authorizer ?? (ownAuthorizer as Authorizer);
  const watcher = ownAuthorizer
    ? watchPolicyDir(config.WARDEN_POLICY_DIR, ownAuthorizer, { report: () => {} })
    : undefined;
  const secureCookies = secureCookiesFor(config);
  const app = await createApprovalsServer({
    authenticator,
    backend: new TemporalApprovalsBackend(client, config, { authorizer, tools: options.tools ?? new Map() }),
    visibility: new ApprovalVisibility(authorizer, options.tools),
    secureCookies,
    ...(tls ? { tls } : {}),
    ...(config.WARDEN_WEB_ALLOWED_HOSTS ? { allowedHosts: config.WARDEN_WEB_ALLOWED_HOSTS } : {}),
    ...(config.WARDEN_WEB_TRUST_PROXY ? { trustProxy: config.WARDEN_WEB_TRUST_PROXY } : {}),
  });
  const close = async () => {
    watcher?.close();
    await app.close();
    await ownAuthorizer?.close();
  };
  try {
    const url = await app.listen({
      host: options.host ?? '127.0.0.1',
      port: options.port ?? config.WARDEN_WEB_PORT,
    });
    return { url, tokens: authenticator.configuredTokens, secureCookies, hosts: hosts.describe(), close };
  } catch (error) {
    await close();
    throw error;
  }
}
