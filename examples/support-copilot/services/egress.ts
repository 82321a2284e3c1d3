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
    if (!this.sent.some((r) => r.idempotencyKey === idempotencyKey)) {
      this.sent.push({ url, body, idempotencyKey, at: new Date().toISOString() });
    }
    return { status: 202, delivered: true };
  }
}
