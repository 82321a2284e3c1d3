import { defineConfig } from 'warden';
import { supportAgents } from './agents.ts';
import { supportServices } from './services.ts';

/** The support copilot under the guard with provenance: the example's labelled tools, its policy. */
export default defineConfig({
  agents: supportAgents(true),
  workflows: './workflows-provenance.ts',
  services: supportServices,
  policyDir: '../../../examples/support-copilot/policies',
});
