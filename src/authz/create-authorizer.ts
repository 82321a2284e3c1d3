import type { WardenConfig } from '../config/env.ts';
import { EmbeddedAuthorizer, type EmbeddedOptions } from './embedded/authorizer.ts';
import { OsoCloudAuthorizer, type OsoCloudOptions } from './oso-cloud/authorizer.ts';
import { loadPolicyDir } from './policy-loader.ts';
import { type Authorizer, PolicyError } from './types.ts';

export interface CreateAuthorizerOptions {
  embedded?: EmbeddedOptions;
  osoCloud?: Omit<OsoCloudOptions, 'url' | 'apiKey'>;
}

/**
 * The PDP named by `WARDEN_PDP`, with the policy and facts of `WARDEN_POLICY_DIR` fully loaded.
 * Throws `PolicyError` on any load problem: nothing authorizes with a half-loaded policy.
 */
export async function createAuthorizer(
  config: Pick<WardenConfig, 'WARDEN_PDP' | 'WARDEN_POLICY_DIR' | 'OSO_URL' | 'OSO_AUTH'>,
  options: CreateAuthorizerOptions = {},
): Promise<Authorizer> {
  const { model, facts } = await loadPolicyDir(config.WARDEN_POLICY_DIR);
  const policyDir = config.WARDEN_POLICY_DIR;
  if (config.WARDEN_PDP === 'embedded') {
    return EmbeddedAuthorizer.create(model, facts, { ...options.embedded, policyDir });
  }
  if (config.OSO_URL === undefined || config.OSO_AUTH === undefined) {
    throw new PolicyError('WARDEN_PDP=oso-cloud needs OSO_URL and OSO_AUTH');
  }
  return OsoCloudAuthorizer.create(model, facts, {
    ...options.osoCloud,
    policyDir,
    url: config.OSO_URL,
    apiKey: config.OSO_AUTH,
  });
}
