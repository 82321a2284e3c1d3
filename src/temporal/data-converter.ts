import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import type { WardenConfig } from '../config/env.ts';
import { EncryptionCodec } from './encryption-codec.ts';
import { type KeyProvider, resolvePayloadKeys, StaticKeyProvider } from './payload-keys.ts';

const fromSource = import.meta.url.endsWith('.ts');

/** The module exporting Warden's `failureConverter`, for clients, workers and workflow bundles. */
export const FAILURE_CONVERTER_PATH = fileURLToPath(
  new URL(`./failure-converter.${fromSource ? 'ts' : 'js'}`, import.meta.url),
);

/** The data converter of every client and worker Warden creates: encrypted payloads and failures. */
export function dataConverterFor(keys: KeyProvider): DataConverter {
  return { payloadCodecs: [new EncryptionCodec(keys)], failureConverterPath: FAILURE_CONVERTER_PATH };
}

type KeyConfig = Parameters<typeof resolvePayloadKeys>[0];

/** The key provider the configuration names (environment, key file, or the development key file). */
export async function keyProviderFor(config: KeyConfig): Promise<StaticKeyProvider> {
  return new StaticKeyProvider(await resolvePayloadKeys(config));
}

/** Warden's data converter with the keys of `config`. */
export async function wardenDataConverter(
  config: Pick<WardenConfig, keyof KeyConfig>,
): Promise<DataConverter> {
  return dataConverterFor(await keyProviderFor(config));
}
