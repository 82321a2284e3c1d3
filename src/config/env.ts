import path from 'node:path';
import { z } from 'zod';

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
  mode: 'WARDEN_MODE',
  webPort: 'WARDEN_WEB_PORT',
  payloadKeys: 'WARDEN_PAYLOAD_KEYS',
  payloadKeyFile: 'WARDEN_PAYLOAD_KEY_FILE',
  codecPort: 'WARDEN_CODEC_PORT',
  codecCorsOrigins: 'WARDEN_CODEC_CORS_ORIGINS',
} as const;

const port = z.coerce.number().int().min(1).max(65_535);
const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

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
  WARDEN_MODE: z.enum(['development', 'production']).default('development'),
  WARDEN_WEB_PORT: port.default(8787),
  /** `keyId:base64,…` (32-byte AES keys); the first encrypts, all decrypt. */
  WARDEN_PAYLOAD_KEYS: optionalText,
  /** A file of `keyId:base64` lines, same meaning; used when WARDEN_PAYLOAD_KEYS is unset. */
  WARDEN_PAYLOAD_KEY_FILE: optionalText,
  WARDEN_CODEC_PORT: port.default(8788),
  /** Origins (comma-separated) whose pages may call the codec server; default: the local Temporal Web. */
  WARDEN_CODEC_CORS_ORIGINS: optionalText,
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
  if (config.WARDEN_PDP === 'oso-cloud' && (config.OSO_URL === undefined || config.OSO_AUTH === undefined)) {
    throw new ConfigError('WARDEN_PDP=oso-cloud needs OSO_URL and OSO_AUTH');
  }
  return config;
}
