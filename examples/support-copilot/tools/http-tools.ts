import { defineTool, httpUrl, IDEMPOTENCY_KEY_HEADER } from 'warden/workflow';
import { z } from 'zod';

export const httpPost = defineTool({
  name: 'http.post',
  description: 'POST a JSON body to an external URL.',
  // httpUrl: the intent rule checks the host of the parsed URL and `execute` sends to that same URL.
  parameters: z.strictObject({ url: httpUrl({ protocols: ['https'] }), body: z.unknown() }),
  risk: 'high',
  zone: 'external',
  intent: [{ kind: 'new_external_host', argument: 'url', knownHosts: ['api.acme.example'] }],
  approval: { timeout: '1 hour', onTimeout: 'reject' },
  // The receiver applies a retried POST once when it honours the Idempotency-Key header.
  async execute({ url, body }, { services, idempotencyKey }) {
    return services.egress.post({ url, headers: { [IDEMPOTENCY_KEY_HEADER]: idempotencyKey }, body });
  },
});
