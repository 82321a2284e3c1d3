import type { Client } from '@temporalio/client';
import { ApproverAuthenticator } from '../approvals/auth/authenticate.ts';
import type { WardenConfig } from '../config/env.ts';
import { createApprovalsServer } from './approvals-server.ts';
import { type ApprovalServicePolicy, TemporalApprovalsBackend } from './temporal-backend.ts';

export interface ApprovalsWeb {
  url: string;
  /** How many approver tokens WARDEN_APPROVER_TOKENS configures (0: nobody can sign in). */
  tokens: number;
  close(): Promise<void>;
}

/** Serves the approvals page for a Warden deployment; what `warden web` and `warden dev` start. */
export async function startApprovalsWeb(
  config: WardenConfig,
  client: Client,
  options: {
    host?: string;
    port?: number;
    /** The live policy and the project's tools: each decision is checked against them before it is signed. */
    policy: ApprovalServicePolicy;
  },
): Promise<ApprovalsWeb> {
  const authenticator = ApproverAuthenticator.fromConfig(config);
  const app = await createApprovalsServer({
    authenticator,
    backend: new TemporalApprovalsBackend(client, config, options.policy),
  });
  const url = await app.listen({
    host: options.host ?? '127.0.0.1',
    port: options.port ?? config.WARDEN_WEB_PORT,
  });
  return { url, tokens: authenticator.configuredTokens, close: () => app.close() };
}
