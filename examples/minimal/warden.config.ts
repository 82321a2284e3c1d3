import { defineConfig } from 'warden';
import { agents } from './agents.ts';
import { services } from './services.ts';

export default defineConfig({
  agents,
  workflows: './workflows.ts',
  services,
  policyDir: './policies',
  scenarioDir: './scenarios',
});
