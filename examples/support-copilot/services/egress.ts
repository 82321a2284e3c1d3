import { parseHttpUrl } from 'warden';
import type { OutboundRequest } from './types.ts';

/**
 * Outbound HTTP for the demo: requests are recorded, never sent, so a demo of an exfiltration attempt
 * cannot leak anything. Repeated deliveries with one idempotency key are recorded once.
 */
export class Egress {
  readonly sent: OutboundRequest[] = [];

  async post(
    url: string,
    body: unknown,
    idempotencyKey: string,
  ): Promise<{ status: number; delivered: boolean }> {
    // The guard checked the host of the normalized URL the tool's schema produced: anything else (a
    // raw string a tool passed through unparsed) is refused rather than sent somewhere unchecked.
    const parsed = parseHttpUrl(url);
    if (!parsed.ok || parsed.href !== url) {
      throw new Error(`egress refused ${JSON.stringify(url)}: not a normalized http(s) URL`);
    }
    if (!this.sent.some((r) => r.idempotencyKey === idempotencyKey)) {
      this.sent.push({
        url: parsed.href,
        host: parsed.host,
        body,
        idempotencyKey,
        at: new Date().toISOString(),
      });
    }
    return { status: 202, delivered: true };
  }
}
