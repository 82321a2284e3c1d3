import { defineConfig } from 'warden';
import { supportAgents } from './agents.ts';
import { supportServices } from './services.ts';

/**
 * The support copilot under the guard with provenance: the example's labelled tools; the example's
 * policy plus the desk's own webhook (policies/facts.yaml).
 */
export default defineConfig({
  agents: supportAgents(true),
  workflows: './workflows-provenance.ts',
  services: supportServices,
  policyDir: './policies',
});
