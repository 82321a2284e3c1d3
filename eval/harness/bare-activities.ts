import type { AgentInputItem } from '@openai/agents-core';
import { Context } from '@temporalio/activity';
import type { ToolDefinition, ToolServices } from 'warden';
import { modelToolName } from 'warden/testing';
import { respond } from './obedient-model.ts';
import type { EvalTask } from './tasks.ts';

export interface BareCall {
  callId: string;
  tool: string;
  status: 'executed' | 'invalid' | 'failed';
  reason: string;
  /** What the model reads back, in the shape Warden's agent loop gives it. */
  modelText: string;
}

export interface BareActivities {
  bareModelTurn(input: {
    task: string;
    input: Array<Record<string, unknown>>;
  }): Promise<Array<Record<string, unknown>>>;
  bareToolCall(input: { domain: string; callId: string; name: string; arguments: string }): Promise<BareCall>;
}

export interface BareDomain {
  tools: readonly ToolDefinition[];
  services: ToolServices;
  agent: string;
  user: string;
}

function failure(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The baseline's activities: the obedient model answering a turn, and a tool called the way an
 * agent framework without a guard calls it (arguments parsed by the tool's schema, then executed).
 */
export function createBareActivities(
  tasks: ReadonlyMap<string, EvalTask>,
  domains: ReadonlyMap<string, BareDomain>,
): BareActivities {
  return {
    async bareModelTurn({ task, input }) {
      const found = tasks.get(task);
      if (found === undefined) throw new Error(`no eval task ${task}`);
      return JSON.parse(JSON.stringify(respond(found, input as unknown as AgentInputItem[])));
    },
    async bareToolCall({ domain, callId, name, arguments: text }) {
      const bare = domains.get(domain);
      const tool = bare?.tools.find((t) => modelToolName(t.name) === name);
      const answer = (status: BareCall['status'], reason: string, output?: unknown): BareCall => ({
        callId,
        tool: tool?.name ?? name,
        status,
        reason,
        modelText: JSON.stringify({ tool: tool?.name ?? name, status, output, reason }),
      });
      if (bare === undefined || tool === undefined) return answer('invalid', `no tool ${name}`);
      let args: unknown;
      try {
        args = tool.parameters.parse(JSON.parse(text));
      } catch (error) {
        return answer('invalid', `invalid arguments: ${failure(error)}`);
      }
      const workflowId = Context.current().info.workflowExecution?.workflowId ?? 'unknown-run';
      try {
        const output = await tool.execute(args, {
          idempotencyKey: `${workflowId}:${callId}`,
          callId,
          workflowId,
          attempt: Context.current().info.attempt,
          agent: { type: 'Agent', id: bare.agent },
          onBehalfOf: { type: 'User', id: bare.user },
          services: bare.services,
        });
        return answer('executed', 'executed (no guard)', output);
      } catch (error) {
        return answer('failed', `tool failed: ${failure(error)}`);
      }
    },
  };
}
