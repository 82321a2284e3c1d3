import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  path: string;
  authorization?: string;
  body: {
    model?: string;
    input?: Array<{ type?: string; call_id?: string; output?: unknown; role?: string; content?: unknown }>;
    tools?: Array<{ type: string; name: string; parameters?: unknown }>;
    instructions?: string;
    text?: { format?: { type?: string; name?: string; strict?: boolean; schema?: unknown } };
    store?: boolean;
  };
}

/** How the server answers one request instead of its script: a message, an HTTP error, or never. */
export type FakeReply = { text: string } | { status: number; message: string } | { hang: true };

export interface FakeServerOptions {
  reply?: (body: RecordedRequest['body'], n: number) => FakeReply;
}

export interface FakeResponsesServer {
  baseUrl: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export interface ScriptedCall {
  name: string;
  arguments: string;
  /** The call id the model sends (a hostile model picks its own); default `call_fake_<n>`. */
  callId?: unknown;
}

async function readJson(req: IncomingMessage): Promise<RecordedRequest['body']> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/**
 * A stand-in for the OpenAI Responses endpoint (POST /v1/responses): the first request is answered
 * with a function call, any request carrying a function result with a final message.
 */
export async function startFakeResponsesServer(
  call: ScriptedCall,
  finalText: string,
  options: FakeServerOptions = {},
): Promise<FakeResponsesServer> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer(async (req, res) => {
    if (req.method !== 'POST' || req.url !== '/v1/responses') {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: { message: `no route ${req.method} ${req.url}`, type: 'invalid_request_error' },
        }),
      );
      return;
    }
    const body = await readJson(req);
    requests.push({ path: req.url, authorization: req.headers.authorization, body });
    const n = requests.length;
    const reply = options.reply?.(body, n);
    if (reply !== undefined && 'hang' in reply) return;
    if (reply !== undefined && 'status' in reply) {
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: reply.message, type: 'server_error' } }));
      return;
    }
    const answered = (body.input ?? []).some((item) => item.type === 'function_call_output');
    const output = reply
      ? [
          {
            type: 'message',
            id: `msg_${n}`,
            role: 'assistant',
            status: 'completed',
            content: [{ type: 'output_text', text: reply.text, annotations: [] }],
          },
        ]
      : answered
        ? [
            {
              type: 'message',
              id: `msg_${n}`,
              role: 'assistant',
              status: 'completed',
              content: [{ type: 'output_text', text: finalText, annotations: [] }],
            },
          ]
        : [
            {
              type: 'function_call',
              id: `fc_${n}`,
              call_id: call.callId ?? `call_fake_${n}`,
              name: call.name,
              arguments: call.arguments,
              status: 'completed',
            },
          ];
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        id: `resp_${n}`,
        object: 'response',
        created_at: 1_700_000_000,
        status: 'completed',
        model: body.model,
        output,
        usage: {
          input_tokens: 50,
          output_tokens: 10,
          total_tokens: 60,
          input_tokens_details: { cached_tokens: 0 },
          output_tokens_details: { reasoning_tokens: 0 },
        },
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        // A request left hanging on purpose must not keep the server open.
        server.closeAllConnections();
      }),
  };
}
