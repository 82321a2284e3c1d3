import { defineConfig } from 'warden';
import { agents } from './agents.ts';
import { services } from './services/index.ts';
import { demoTools } from './tools/index.ts';

export default defineConfig({
  agents,
  // crm.delete_customer and http.post belong to no agent: a tool plan may name them, and the guard
  // still decides them under the plan's agent (its policy roles, rules and purpose scope).
  tools: [...demoTools.values()],
  workflows: './workflows.ts',
  services,
  policyDir: './policies',
  scenarioDir: './scenarios',
  // Alerts on the tool workers' decisions, stored in the data directory (`warden alerts`). The demo's
  // own hosts are known; a call to any other host (the injected export's) raises an alert.
  alerts: {
    rules: { newExternalHost: { knownHosts: ['*.acme.example'] } },
  },
  demo: {
    title: 'Warden demo: a support copilot whose every tool call is checked before it runs',
    scenarios: [
      'benign-ticket',
      'refund-under-limit',
      'refund-over-limit',
      'injected-export',
      'filtered-search',
    ],
    approver: 'bob',
    alsoApprovers: ['carol'],
  },
});
