import { defineConfig } from 'warden';
import { services } from '../services/index.ts';
import { longRunAgents } from './long-run-workflows.ts';

/** The long-conversation benchmark's project: one agent allowed 200 turns, the copilot's policy. */
export default defineConfig({
  agents: longRunAgents,
  workflows: './long-run-workflows.ts',
  services,
  policyDir: '../policies',
});
