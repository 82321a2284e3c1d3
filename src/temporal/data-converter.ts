import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import type { WardenConfig } from '../config/env.ts';
import { EncryptionCodec, type EncryptionCodecOptions } from './encryption-codec.ts';
import { type KeyProvider, resolvePayloadKeys, StaticKeyProvider } from './payload-keys.ts';

const fromSource = import.meta.url.endsWith('.ts');

/** The module exporting Warden's `failureConverter`, for clients, workers and workflow bundles. */
export const FAILURE_CONVERTER_PATH = fileURLToPath(
  new URL(`./failure-converter.${fromSource ? 'ts' : 'js'}`, import.meta.url),
);

/** The module exporting Warden's `payloadConverter` (Temporal's, plus refused plaintext). */
export const PAYLOAD_CONVERTER_PATH = fileURLToPath(
  new URL(`./payload-converter.${fromSource ? 'ts' : 'js'}`, import.meta.url),
);

/** The data converter of every client and worker Warden creates: encrypted payloads and failures. */
export function dataConverterFor(keys: KeyProvider, options: EncryptionCodecOptions = {}): DataConverter {
  return {
    payloadCodecs: [new EncryptionCodec(keys, options)],
    payloadConverterPath: PAYLOAD_CONVERTER_PATH,
    failureConverterPath: FAILURE_CONVERTER_PATH,
  };
}

type KeyConfig = Parameters<typeof resolvePayloadKeys>[0];

/** The key provider the configuration names (environment, key file, or the development key file). */
export async function keyProviderFor(config: KeyConfig): Promise<StaticKeyProvider> {
  return new StaticKeyProvider(await resolvePayloadKeys(config));
}

/**
 * Warden's data converter with the keys of `config`. Clients (the CLI, audit and replay of runs
 * recorded before encryption) read plaintext payloads too; workers pass `refusePlaintext`.
 */
export async function wardenDataConverter(
  config: Pick<WardenConfig, keyof KeyConfig>,
  options: EncryptionCodecOptions = {},
): Promise<DataConverter> {
  return dataConverterFor(await keyProviderFor(config), options);
}

/**
 * The data converter of a worker: in production it refuses unencrypted payloads, so no workflow or
 * activity runs on input a client wrote without the deployment's key; development accepts them.
 */
export function workerDataConverter(config: Pick<WardenConfig, keyof KeyConfig>): Promise<DataConverter> {
  return wardenDataConverter(config, { refusePlaintext: config.WARDEN_MODE === 'production' });
}
