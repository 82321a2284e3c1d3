import { defineConfig } from 'warden';
import { workspaceAgents } from './agents.ts';
import { workspaceServices } from './services.ts';

/** The workspace assistant under today's guard: its tools without provenance, its policy. */
export default defineConfig({
  agents: workspaceAgents(false),
  workflows: './workflows.ts',
  services: workspaceServices,
  policyDir: './policies',
});
