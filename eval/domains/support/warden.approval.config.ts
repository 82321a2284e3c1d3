import { defineConfig } from 'warden';
import { supportAgents } from './agents.ts';
import { supportServices } from './services.ts';

/**
 * The support copilot under the guard with provenance, as in warden.provenance.config.ts, with a
 * scripted approver answering (the approval pass): a paused call waits a minute, not a second.
 */
export default defineConfig({
  agents: supportAgents(true, 'approver'),
  workflows: './workflows-approval.ts',
  services: supportServices,
  policyDir: './policies',
});
