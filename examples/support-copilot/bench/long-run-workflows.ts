import { agentCatalog, createAgentRunWorkflow, defineAgent } from 'warden/workflow';
import { getTicket } from '../tools/ticket-tools.ts';

/** An agent allowed a long conversation: the support bot's identity, reading tickets only. */
export const longRunAgents = agentCatalog([
  defineAgent({
    name: 'long-reader',
    identity: 'support-bot',
    purpose: 'Read many support tickets in one conversation, to measure history growth.',
    instructions: 'Read the tickets you are asked for, one per turn.',
    tools: [getTicket],
    maxTurns: 200,
    maxTokens: 10_000_000,
  }),
]);

export const agentRunWorkflow = createAgentRunWorkflow(longRunAgents);
