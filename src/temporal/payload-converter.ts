import {
  ApplicationFailure,
  BinaryPayloadConverter,
  CompositePayloadConverter,
  JsonPayloadConverter,
  type Payload,
  type PayloadConverterWithEncoding,
  UndefinedPayloadConverter,
} from '@temporalio/common';

/**
 * What a production worker's codec leaves in place of a payload that arrived unencrypted: the
 * refusal, never the plaintext. Converting it back to a value throws, where the SDK turns that
 * into a rejected Update, a failed Query, a failed run start or a failed activity, instead of a
 * workflow task that fails again on every retry.
 */
export const REFUSED_PLAINTEXT_ENCODING = 'binary/warden-refused-plaintext';
export const PLAINTEXT_REFUSED = 'PlaintextPayloadRefused';

class RefusedPlaintextConverter implements PayloadConverterWithEncoding {
  readonly encodingType = REFUSED_PLAINTEXT_ENCODING;

  toPayload(): Payload | undefined {
    return undefined;
  }

  fromPayload<T>(payload: Payload): T {
    const reason = new TextDecoder().decode(payload.data ?? new Uint8Array());
    throw ApplicationFailure.nonRetryable(reason || 'refused an unencrypted payload', PLAINTEXT_REFUSED);
  }
}

/**
 * Temporal's default conversions (undefined, bytes, JSON) and the refusal above. Loaded by path
 * (`payloadConverterPath`) by clients, workers and the workflow bundle alike: it is sandbox-safe.
 */
export const payloadConverter = new CompositePayloadConverter(
  new UndefinedPayloadConverter(),
  new BinaryPayloadConverter(),
  new JsonPayloadConverter(),
  new RefusedPlaintextConverter(),
);
