import { defineConfig } from 'warden';
import { workspaceAgents } from './agents.ts';
import { workspaceServices } from './services.ts';

/** The workspace assistant under the guard with provenance: its labelled tools, the same policy. */
export default defineConfig({
  agents: workspaceAgents(true),
  workflows: './workflows-provenance.ts',
  services: workspaceServices,
  policyDir: './policies',
});
