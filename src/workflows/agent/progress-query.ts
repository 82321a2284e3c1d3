import { defineQuery } from '@temporalio/workflow';
import type { AgentRunProgress } from './run-types.ts';

/** What an agent run shows while it runs: its agents, turns, tokens and timeline so far. */
export const agentRunProgressQuery = defineQuery<AgentRunProgress>('agentRunProgress');
