import { defineConfig } from 'warden';
import { supportAgents } from './agents.ts';
import { supportServices } from './services.ts';

/**
 * The support copilot under today's guard: the example's tools without provenance; the example's policy plus
 * the desk's own webhook (policies/facts.yaml).
 */
export default defineConfig({
  agents: supportAgents(false),
  workflows: './workflows.ts',
  services: supportServices,
  policyDir: './policies',
});
