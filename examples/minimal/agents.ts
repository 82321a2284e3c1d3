import { agentCatalog, defineAgent } from 'warden/workflow';
import { ticketStatus } from './tools.ts';

export const agents = agentCatalog([
  defineAgent({
    name: 'status-assistant',
    identity: 'status-bot',
    purpose: 'Tell users the status of their support tickets.',
    instructions: 'Look tickets up; never change them.',
    tools: [ticketStatus],
    maxTurns: 4,
  }),
]);
