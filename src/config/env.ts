import path from 'node:path';
import { z } from 'zod';
import { parseCacheSize } from '../workers/workflow-cache.ts';
import { parseWorkflowThreads } from '../workers/workflow-threads.ts';

/**
 * Every environment variable Warden reads, in one place. Values are validated at start so a typo
 * fails loudly instead of silently falling back to a default.
 */
export const ENV_NAMES = {
  temporalAddress: 'TEMPORAL_ADDRESS',
  temporalNamespace: 'TEMPORAL_NAMESPACE',
  temporalTlsCert: 'TEMPORAL_TLS_CERT',
  temporalTlsKey: 'TEMPORAL_TLS_KEY',
  temporalApiKey: 'TEMPORAL_API_KEY',
  temporalCliPath: 'TEMPORAL_CLI_PATH',
  temporalPort: 'WARDEN_TEMPORAL_PORT',
  temporalUiPort: 'WARDEN_TEMPORAL_UI_PORT',
  temporalDownload: 'WARDEN_TEMPORAL_DOWNLOAD',
  dataDir: 'WARDEN_DATA_DIR',
  taskQueue: 'WARDEN_TASK_QUEUE',
  pdp: 'WARDEN_PDP',
  policyDir: 'WARDEN_POLICY_DIR',
  osoUrl: 'OSO_URL',
  osoAuth: 'OSO_AUTH',
  openaiApiKey: 'OPENAI_API_KEY',
  openaiBaseUrl: 'OPENAI_BASE_URL',
  model: 'WARDEN_MODEL',
  openaiApi: 'WARDEN_OPENAI_API',
  approverTokens: 'WARDEN_APPROVER_TOKENS',
  approvalSecret: 'WARDEN_APPROVAL_SECRET',
  approvalSigningKey: 'WARDEN_APPROVAL_SIGNING_KEY',
  approvalPublicKeys: 'WARDEN_APPROVAL_PUBLIC_KEYS',
  oidcIssuer: 'WARDEN_OIDC_ISSUER',
  oidcAudience: 'WARDEN_OIDC_AUDIENCE',
  oidcJwks: 'WARDEN_OIDC_JWKS',
  oidcUserClaim: 'WARDEN_OIDC_USER_CLAIM',
  mode: 'WARDEN_MODE',
  config: 'WARDEN_CONFIG',
  webPort: 'WARDEN_WEB_PORT',
  zoneKeyDir: 'WARDEN_ZONE_KEY_DIR',
  webAllowedHosts: 'WARDEN_WEB_ALLOWED_HOSTS',
  webSecureCookies: 'WARDEN_WEB_SECURE_COOKIES',
  webTlsCert: 'WARDEN_WEB_TLS_CERT',
  webTlsKey: 'WARDEN_WEB_TLS_KEY',
  webTrustProxy: 'WARDEN_WEB_TRUST_PROXY',
  payloadKeys: 'WARDEN_PAYLOAD_KEYS',
  payloadKeyFile: 'WARDEN_PAYLOAD_KEY_FILE',
  codecPort: 'WARDEN_CODEC_PORT',
  codecCorsOrigins: 'WARDEN_CODEC_CORS_ORIGINS',
  maxCachedWorkflows: 'WARDEN_MAX_CACHED_WORKFLOWS',
  workflowHeap: 'WARDEN_WORKFLOW_HEAP',
  workflowThreads: 'WARDEN_WORKFLOW_THREADS',
} as const;

const port = z.coerce.number().int().min(1).max(65_535);
const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

/** A whole number read by `parse` (unset, the number, or why the text is not one). */
const parsedCount = (
  parse: (text: string | undefined) => { value: number | undefined } | { problem: string },
) =>
  z
    .string()
    .optional()
    .transform((text, context) => {
      const parsed = parse(text);
      if ('problem' in parsed) {
        context.addIssue({ code: 'custom', message: parsed.problem });
        return z.NEVER;
      }
      return parsed.value;
    });

const schema = z.object({
  TEMPORAL_ADDRESS: optionalText,
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TLS_CERT: optionalText,
  TEMPORAL_TLS_KEY: optionalText,
  TEMPORAL_API_KEY: optionalText,
  TEMPORAL_CLI_PATH: optionalText,
  WARDEN_TEMPORAL_PORT: port.default(7233),
  WARDEN_TEMPORAL_UI_PORT: port.default(8233),
  /** `0` forbids the Temporal SDK's server download (air-gapped or locked-down machines). */
  WARDEN_TEMPORAL_DOWNLOAD: z.enum(['0', '1']).default('1'),
  WARDEN_DATA_DIR: z.string().default(path.resolve('.warden')),
  WARDEN_TASK_QUEUE: optionalText,
  WARDEN_PDP: z.enum(['embedded', 'oso-cloud']).default('embedded'),
  WARDEN_POLICY_DIR: optionalText,
  OSO_URL: optionalText,
  OSO_AUTH: optionalText,
  OPENAI_API_KEY: optionalText,
  OPENAI_BASE_URL: optionalText,
  WARDEN_MODEL: z.string().default('scripted'),
  WARDEN_OPENAI_API: z.enum(['responses', 'chat']).default('responses'),
  WARDEN_APPROVER_TOKENS: optionalText,
  WARDEN_APPROVAL_SECRET: optionalText,
  /** Ed25519 private key of the approval service and `warden run`: keyId=<base64>, or a file. */
  WARDEN_APPROVAL_SIGNING_KEY: optionalText,
  /** Ed25519 public keys the workers accept: keyId=<base64>,… or a file (several, for rotation). */
  WARDEN_APPROVAL_PUBLIC_KEYS: optionalText,
  WARDEN_OIDC_ISSUER: optionalText,
  WARDEN_OIDC_AUDIENCE: optionalText,
  /** The issuer's JWKS: a JSON file, or an https URL. */
  WARDEN_OIDC_JWKS: optionalText,
  WARDEN_OIDC_USER_CLAIM: z.string().default('sub'),
  WARDEN_MODE: z.enum(['development', 'production']).default('development'),
  /** The project's warden.config.ts (or its directory); the CLI finds one from the working directory otherwise. */
  WARDEN_CONFIG: optionalText,
  WARDEN_WEB_PORT: port.default(8787),
  /** Ed25519 keys of the trust zones' workers (`<zone>.key`, `<zone>.pub`); default `<data dir>/zone-keys`. */
  WARDEN_ZONE_KEY_DIR: optionalText,
  /** Host names the approvals page answers to (DNS rebinding); default: localhost names on its port. */
  WARDEN_WEB_ALLOWED_HOSTS: optionalText,
  /** `auto`: Secure cookies when the page serves TLS or WARDEN_MODE is production. */
  WARDEN_WEB_SECURE_COOKIES: z.enum(['auto', 'always', 'never']).default('auto'),
  WARDEN_WEB_TLS_CERT: optionalText,
  WARDEN_WEB_TLS_KEY: optionalText,
  /** Addresses of reverse proxies whose X-Forwarded-For names the client (comma-separated IPs/CIDRs). */
  WARDEN_WEB_TRUST_PROXY: optionalText,
  /** `keyId:base64,…` (32-byte AES keys); the first encrypts, all decrypt. */
  WARDEN_PAYLOAD_KEYS: optionalText,
  /** A file of `keyId:base64` lines, same meaning; used when WARDEN_PAYLOAD_KEYS is unset. */
  WARDEN_PAYLOAD_KEY_FILE: optionalText,
  WARDEN_CODEC_PORT: port.default(8788),
  /** Origins (comma-separated) whose pages may call the codec server; default: the local Temporal Web. */
  WARDEN_CODEC_CORS_ORIGINS: optionalText,
  /** Runs a workflow worker keeps in its sticky cache (0 = none); default: the project's, else 500. */
  WARDEN_MAX_CACHED_WORKFLOWS: parsedCount(parseCacheSize),
  /** How the workflow thread's V8 heap is sized: `bounded` or `node`; default: the project's, else bounded. */
  WARDEN_WORKFLOW_HEAP: optionalText.pipe(z.enum(['bounded', 'node']).optional()),
  /** Threads a workflow worker runs workflow code on (1–16); default: the project's, else 1. */
  WARDEN_WORKFLOW_THREADS: parsedCount(parseWorkflowThreads),
});

type ParsedEnvironment = z.infer<typeof schema>;

/** The environment, with the values a project may default (policy directory, task queue) filled in. */
export type WardenConfig = Omit<ParsedEnvironment, 'WARDEN_POLICY_DIR' | 'WARDEN_TASK_QUEUE'> & {
  WARDEN_POLICY_DIR: string;
  WARDEN_TASK_QUEUE: string;
};

/** What a project's `warden.config.ts` supplies when the environment does not say. */
export interface ConfigDefaults {
  policyDir?: string;
  taskQueue?: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Parses the environment (or an override map, for tests) into a typed configuration. The environment
 * wins over the project's defaults, which win over `./policies` and the `warden` queue.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  defaults: ConfigDefaults = {},
): WardenConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const name = first?.path.join('.') ?? 'environment';
    throw new ConfigError(`invalid ${name}: ${first?.message ?? 'bad value'}`);
  }
  const config: WardenConfig = {
    ...parsed.data,
    WARDEN_POLICY_DIR: path.resolve(parsed.data.WARDEN_POLICY_DIR ?? defaults.policyDir ?? 'policies'),
    WARDEN_TASK_QUEUE: parsed.data.WARDEN_TASK_QUEUE ?? defaults.taskQueue ?? 'warden',
  };
  if ((config.TEMPORAL_TLS_CERT === undefined) !== (config.TEMPORAL_TLS_KEY === undefined)) {
    throw new ConfigError('TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY must be set together');
  }
  if ((config.WARDEN_WEB_TLS_CERT === undefined) !== (config.WARDEN_WEB_TLS_KEY === undefined)) {
    throw new ConfigError('WARDEN_WEB_TLS_CERT and WARDEN_WEB_TLS_KEY must be set together');
  }
  if (config.WARDEN_PDP === 'oso-cloud' && (config.OSO_URL === undefined || config.OSO_AUTH === undefined)) {
    throw new ConfigError('WARDEN_PDP=oso-cloud needs OSO_URL and OSO_AUTH');
  }
  const oidc = [config.WARDEN_OIDC_ISSUER, config.WARDEN_OIDC_AUDIENCE, config.WARDEN_OIDC_JWKS];
  if (oidc.some((v) => v !== undefined) && oidc.some((v) => v === undefined)) {
    throw new ConfigError(
      'WARDEN_OIDC_ISSUER, WARDEN_OIDC_AUDIENCE and WARDEN_OIDC_JWKS must be set together',
    );
  }
  return config;
}
