import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec, SerializationContext } from '@temporalio/common';
import proto from '@temporalio/proto';
import { REFUSED_PLAINTEXT_ENCODING } from './payload-converter.ts';
import type { KeyProvider } from './payload-keys.ts';

const { Payload: PayloadMessage } = proto.temporal.api.common.v1;

/** The metadata an encrypted payload carries in plaintext; everything else is inside the ciphertext. */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const METADATA_ENCODING = 'encoding';
export const METADATA_KEY_ID = 'encryption-key-id';
export const METADATA_CIPHER = 'encryption-cipher';
/** The workflow whose history owns the payload: the codec server authorizes on it. */
export const METADATA_WORKFLOW_ID = 'warden-workflow-id';
const CIPHER = 'AES-256-GCM/v1';

const IV_BYTES = 12;
const TAG_BYTES = 16;

export class PayloadDecryptionError extends Error {
  override name = 'PayloadDecryptionError';
}

export interface EncryptionCodecOptions {
  /**
   * Refuse payloads that are not encrypted. Production workers set it: a workflow input, Update,
   * Signal, Query or activity input that a client wrote without the deployment's key (a client
   * without Warden's data converter, or a forged payload) is replaced by a refusal, which Warden's
   * payload converter turns into an error where the value would be used; the plaintext goes nowhere.
   */
  refusePlaintext?: boolean;
}

function described(context: SerializationContext | undefined): string {
  if (context === undefined) return '';
  return context.type === 'activity'
    ? ` for activity ${context.activityId ?? '?'} of workflow ${context.workflowId ?? '?'}`
    : ` for workflow ${context.workflowId}`;
}

const utf8 = (text: string) => new TextEncoder().encode(text);
const text = (bytes: Uint8Array | null | undefined) =>
  bytes ? Buffer.from(bytes).toString('utf8') : undefined;

/**
 * Authenticated data: the cipher version, the key id and the owning workflow. Moving a ciphertext into
 * another run's payload, or relabelling its key, makes decryption fail instead of succeed.
 */
function additionalData(keyId: string, workflowId: string | undefined): Buffer {
  return Buffer.from(JSON.stringify([CIPHER, keyId, workflowId ?? null]), 'utf8');
}

export function isEncrypted(payload: Payload): boolean {
  return text(payload.metadata?.[METADATA_ENCODING]) === ENCRYPTED_ENCODING;
}

/** The workflow id an encrypted payload is bound to, if any (readable without a key). */
export function payloadWorkflowId(payload: Payload): string | undefined {
  return text(payload.metadata?.[METADATA_WORKFLOW_ID]);
}

/**
 * Encrypts every payload with AES-256-GCM under the provider's active key: the whole original payload
 * (its metadata too) becomes the ciphertext. Runs in workers and clients, never in the workflow
 * sandbox. Decoding passes payloads without the encrypted encoding through unchanged, so histories
 * recorded before encryption still replay and read, unless `refusePlaintext` is set.
 */
export class EncryptionCodec implements PayloadCodec {
  constructor(
    private readonly keys: KeyProvider,
    private readonly options: EncryptionCodecOptions = {},
  ) {}

  async encode(payloads: Payload[], context?: SerializationContext): Promise<Payload[]> {
    const { id, key } = await this.keys.activeKey();
    const workflowId = context?.workflowId;
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(additionalData(id, workflowId));
      const plaintext = PayloadMessage.encode(payload).finish();
      const data = Buffer.concat([iv, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
      const metadata: Record<string, Uint8Array> = {
        [METADATA_ENCODING]: utf8(ENCRYPTED_ENCODING),
        [METADATA_CIPHER]: utf8(CIPHER),
        [METADATA_KEY_ID]: utf8(id),
      };
      if (workflowId !== undefined) metadata[METADATA_WORKFLOW_ID] = utf8(workflowId);
      return { metadata, data: new Uint8Array(data) };
    });
  }

  async decode(payloads: Payload[], context?: SerializationContext): Promise<Payload[]> {
    return Promise.all(payloads.map((payload) => this.decodeOne(payload, context)));
  }

  private async decodeOne(payload: Payload, context: SerializationContext | undefined): Promise<Payload> {
    if (!isEncrypted(payload)) {
      if (!this.options.refusePlaintext) return payload;
      const reason = `refused an unencrypted payload${described(context)}: this production worker accepts only payloads encrypted with the deployment's payload keys (was it sent by a client without Warden's data converter?)`;
      return { metadata: { [METADATA_ENCODING]: utf8(REFUSED_PLAINTEXT_ENCODING) }, data: utf8(reason) };
    }
    const cipherName = text(payload.metadata?.[METADATA_CIPHER]);
    if (cipherName !== CIPHER)
      throw new PayloadDecryptionError(`unknown payload cipher ${cipherName ?? '(none)'}`);
    const keyId = text(payload.metadata?.[METADATA_KEY_ID]) ?? '';
    const workflowId = payloadWorkflowId(payload);
    // A payload of one run handed to another (a replayed signal, a copied result) is refused.
    if (context?.workflowId !== undefined && workflowId !== undefined && context.workflowId !== workflowId) {
      throw new PayloadDecryptionError('encrypted payload belongs to another workflow');
    }
    const dataKey = await this.keys.key(keyId);
    if (!dataKey) throw new PayloadDecryptionError(`unknown payload key "${keyId}"`);
    const data = Buffer.from(payload.data ?? []);
    if (data.length < IV_BYTES + TAG_BYTES)
      throw new PayloadDecryptionError('encrypted payload is truncated');
    try {
      const decipher = createDecipheriv('aes-256-gcm', dataKey.key, data.subarray(0, IV_BYTES), {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(additionalData(keyId, workflowId));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plaintext = Buffer.concat([
        decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)),
        decipher.final(),
      ]);
      return PayloadMessage.decode(plaintext);
    } catch {
      throw new PayloadDecryptionError(`encrypted payload failed authentication (key "${keyId}")`);
    }
  }
}
