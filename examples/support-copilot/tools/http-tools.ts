import { defineTool } from 'warden/workflow';
import { z } from 'zod';

export const httpPost = defineTool({
  name: 'http.post',
  description: 'POST a JSON body to an external URL.',
  parameters: z.strictObject({ url: z.url({ protocol: /^https$/ }), body: z.unknown() }),
  risk: 'high',
  zone: 'external',
  intent: [{ kind: 'new_external_host', argument: 'url', knownHosts: ['api.acme.example'] }],
  approval: { timeout: '1 hour', onTimeout: 'reject' },
  async execute({ url, body }, { services, idempotencyKey }) {
    return services.egress.post(url, body, idempotencyKey);
  },
});
