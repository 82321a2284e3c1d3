import { IDEMPOTENCY_KEY_HEADER, parseHttpUrl } from 'warden';
import type { DemoDatabase } from './demo-database.ts';
import type { OutboundRequest } from './types.ts';

export interface PostRequest {
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

export interface PostResult {
  status: number;
  delivered: boolean;
  /** The receiver's id of the request: the same for every repeat with one idempotency key. */
  requestId: string;
}

interface RequestRow {
  seq: number;
  idempotency_key: string | null;
  url: string;
  host: string;
  headers: string;
  body: string;
  at: string;
}

const requestOf = (row: RequestRow): OutboundRequest => ({
  url: row.url,
  host: row.host,
  headers: JSON.parse(row.headers) as Record<string, string>,
  body: JSON.parse(row.body) as unknown,
  idempotencyKey: row.idempotency_key ?? undefined,
  at: row.at,
});

/** A header's value whatever its case (HTTP header names are case-insensitive). */
function header(headers: Record<string, string>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  return Object.entries(headers).find(([key]) => key.toLowerCase() === wanted)?.[1];
}

/**
 * Outbound HTTP for the demo: requests are recorded in the demo's store, never sent, so a demo of an
 * exfiltration attempt cannot leak anything. It behaves as an HTTP API that honours the
 * `Idempotency-Key` header would: a repeat with a key it has seen is answered as the first request
 * was, and recorded once; a request without the header is recorded every time.
 */
export class Egress {
  constructor(readonly db: DemoDatabase) {}

  /** Every request received, oldest first. */
  get sent(): OutboundRequest[] {
    return this.db.all<RequestRow>('SELECT * FROM outbound_requests ORDER BY seq').map(requestOf);
  }

  async post(request: PostRequest): Promise<PostResult> {
    // The guard checked the host of the normalized URL the tool's schema produced: anything else (a
    // raw string a tool passed through unparsed) is refused rather than sent somewhere unchecked.
    const parsed = parseHttpUrl(request.url);
    if (!parsed.ok || parsed.href !== request.url) {
      throw new Error(`egress refused ${JSON.stringify(request.url)}: not a normalized http(s) URL`);
    }
    const key = header(request.headers, IDEMPOTENCY_KEY_HEADER) ?? null;
    const seq = this.db.transaction(() => {
      if (key !== null) {
        const first = this.db.get<{ seq: number }>(
          'SELECT seq FROM outbound_requests WHERE idempotency_key = ?',
          key,
        );
        if (first) return first.seq;
      }
      return this.db.run(
        'INSERT INTO outbound_requests (idempotency_key, url, host, headers, body, at) VALUES (?, ?, ?, ?, ?, ?)',
        key,
        parsed.href,
        parsed.host,
        JSON.stringify(request.headers),
        JSON.stringify(request.body ?? null),
        new Date().toISOString(),
      ).lastInsertRowid;
    });
    return { status: 202, delivered: true, requestId: `o-${seq}` };
  }
}
