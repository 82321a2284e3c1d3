import { defineConfig } from 'warden';
import { agents } from './agents.ts';
import { supportServices } from './services.ts';

/** The support copilot as the evaluation runs it: the example's tools and today's policy. */
export default defineConfig({
  agents,
  workflows: './workflows.ts',
  services: supportServices,
  policyDir: '../../../examples/support-copilot/policies',
});
