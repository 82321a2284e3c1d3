import { defineTool, httpUrl } from 'warden/workflow';
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
  // An external sink: the host must not come from untrusted content only, and the body must carry
  // no confidential value. Its response is the remote side's text: untrusted (the default).
  provenance: { sensitive: { url: 'url', body: 'text' }, externalSink: true },
  async execute({ url, body }, { services, idempotencyKey }) {
    return services.egress.post(url, body, idempotencyKey);
  },
});
