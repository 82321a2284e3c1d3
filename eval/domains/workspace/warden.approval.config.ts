import { defineConfig } from 'warden';
import { workspaceAgents } from './agents.ts';
import { workspaceServices } from './services.ts';

/**
 * The workspace assistant under the guard with provenance, as in warden.provenance.config.ts, with
 * a scripted approver answering (the approval pass): a paused call waits a minute, not a second.
 */
export default defineConfig({
  agents: workspaceAgents(true, 'approver'),
  workflows: './workflows-approval.ts',
  services: workspaceServices,
  policyDir: './policies',
});
