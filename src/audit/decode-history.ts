import { defaultPayloadConverter, type PayloadCodec, type SerializationContext } from '@temporalio/common';
import type proto from '@temporalio/proto';
import { payloadWorkflowId } from '../temporal/encryption-codec.ts';

type History = proto.temporal.api.history.v1.IHistory;
type Payload = proto.temporal.api.common.v1.IPayload;

/** Fields whose payloads are never passed through a codec (the server indexes them). */
const PLAIN_FIELDS = new Set(['searchAttributes']);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !ArrayBuffer.isView(value);

const isPayload = (value: unknown): value is Payload =>
  isObject(value) && isObject(value.metadata) && (value.data === undefined || ArrayBuffer.isView(value.data));

async function decodeOne(codecs: PayloadCodec[], payload: Payload, context: SerializationContext) {
  let decoded = payload;
  for (const codec of [...codecs].reverse())
    [decoded] = (await codec.decode([decoded], context)) as [Payload];
  return decoded;
}

/**
 * A failure whose message and stack travel as encoded attributes (Warden's failure converter) gets
 * them back as plain fields, as the SDK's failure converter would restore them.
 */
function restoreFailureAttributes(failure: Record<string, unknown>): void {
  const encoded = failure.encodedAttributes;
  if (!isPayload(encoded)) return;
  try {
    const attributes = defaultPayloadConverter.fromPayload<{ message?: unknown; stack_trace?: unknown }>(
      encoded as never,
    );
    if (typeof attributes?.message === 'string') failure.message = attributes.message;
    if (typeof attributes?.stack_trace === 'string') failure.stackTrace = attributes.stack_trace;
    delete failure.encodedAttributes;
  } catch {
    // Not attributes Warden's converter wrote: leave the failure as it is.
  }
}

async function walk(node: unknown, codecs: PayloadCodec[], context: SerializationContext): Promise<unknown> {
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i += 1) node[i] = await walk(node[i], codecs, context);
    return node;
  }
  if (!isObject(node)) return node;
  if (isPayload(node)) return decodeOne(codecs, node, context);
  const fields: Record<string, unknown> = node;
  for (const [key, value] of Object.entries(fields)) {
    if (PLAIN_FIELDS.has(key) || value === null || typeof value !== 'object') continue;
    fields[key] = await walk(value, codecs, context);
  }
  if ('encodedAttributes' in fields) restoreFailureAttributes(fields);
  return fields;
}

/**
 * Runs the codecs' `decode` over every payload of a history (inputs, results, memos, headers,
 * failures, update and signal arguments), in place, so the history reads as plaintext. Search
 * attributes are left alone: they are never encoded. Throws if a payload cannot be decrypted (wrong
 * key, tampered ciphertext, a payload of another workflow).
 */
export async function decodeHistoryPayloads(
  history: History,
  codecs: PayloadCodec[],
  target: { namespace: string; workflowId: string },
): Promise<History> {
  if (codecs.length === 0) return history;
  const context: SerializationContext = { type: 'workflow', ...target };
  await walk(history.events ?? [], codecs, context);
  return history;
}

/**
 * The workflow id the history's encrypted payloads are bound to: an exported history file does not
 * name its workflow, and decryption (and replay) must use the id the payloads were written for.
 */
export function boundWorkflowId(history: History): string | undefined {
  const find = (node: unknown): string | undefined => {
    if (Array.isArray(node)) {
      for (const item of node) {
        const found = find(item);
        if (found !== undefined) return found;
      }
      return undefined;
    }
    if (!isObject(node)) return undefined;
    if (isPayload(node)) return payloadWorkflowId(node as never);
    for (const [key, value] of Object.entries(node)) {
      if (PLAIN_FIELDS.has(key)) continue;
      const found = find(value);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return find(history.events ?? []);
}

/** What decoding needs of a `Client` (or a `WorkflowClient`, e.g. a handle's `client`). */
export interface DecodingClient {
  options: { namespace: string; loadedDataConverter: { payloadCodecs: PayloadCodec[] } };
}

/** The same, with the codecs of a client's data converter. */
export function decodeHistoryWithClient(
  client: DecodingClient,
  history: History,
  workflowId: string,
): Promise<History> {
  return decodeHistoryPayloads(history, client.options.loadedDataConverter.payloadCodecs, {
    namespace: client.options.namespace,
    workflowId,
  });
}
