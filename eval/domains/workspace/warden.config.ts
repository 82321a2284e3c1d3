import { defineConfig } from 'warden';
import { agents } from './agents.ts';
import { workspaceServices } from './services.ts';

/** The workspace assistant, as the evaluation runs it under today's guard. */
export default defineConfig({
  agents,
  workflows: './workflows.ts',
  services: workspaceServices,
  policyDir: './policies',
});
