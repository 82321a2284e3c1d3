import type { AgentCatalog } from '../../agents/define-agent.ts';
import type { OsoValue } from '../../authz/types.ts';
import { canonicalJson } from '../../guard/canonical-json.ts';
import type { JudgeInput } from '../../guard/intent/judge.ts';
import type { RuleFinding } from '../../guard/intent/rules.ts';
import type { ToolDefinition } from '../../tools/define-tool.ts';
import type { GuardDependencies } from './dependencies.ts';

/** What the judge is shown of the run's own material, at most: a request is a message, not a file. */
const MAX_REQUEST_CHARS = 8_000;
const MAX_PROVENANCE_BYTES = 32_768;

function catalogAgents(catalog: AgentCatalog, agent: OsoValue) {
  if (agent?.type !== 'Agent') return [];
  return [...catalog.values()].filter((a) => a.identity === agent.id);
}

/** The judge reviews a call when its tool asks for it or an agent of this identity does. */
export function judgeWanted(catalog: AgentCatalog, agent: OsoValue, tool: ToolDefinition): boolean {
  return tool.judge === true || catalogAgents(catalog, agent).some((a) => a.judge === true);
}

/**
 * The user's request and the arguments' provenance from an enforcement request, when the run
 * sends them. They are data for the judge (shown in its data block); one that is not of the
 * expected kind, or too large, is left out and the judge is told so.
 */
export function judgeContext(source: unknown): Pick<JudgeInput, 'userRequest' | 'provenance'> {
  const context: Pick<JudgeInput, 'userRequest' | 'provenance'> = {};
  if (typeof source !== 'object' || source === null) return context;
  const { userRequest, provenance } = source as { userRequest?: unknown; provenance?: unknown };
  if (typeof userRequest === 'string')
    context.userRequest =
      userRequest.length > MAX_REQUEST_CHARS ? `${userRequest.slice(0, MAX_REQUEST_CHARS)}…` : userRequest;
  if (provenance !== undefined) {
    let size: number;
    try {
      size = Buffer.byteLength(canonicalJson(provenance));
    } catch {
      size = Number.POSITIVE_INFINITY;
    }
    context.provenance =
      size <= MAX_PROVENANCE_BYTES
        ? provenance
        : { omitted: `the run's provenance is not JSON or over ${MAX_PROVENANCE_BYTES} bytes` };
  }
  return context;
}

/**
 * The judge's finding on one call, for the tool worker's intent decision: undefined when neither
 * the tool nor the agent asks for a judge. The purpose is the catalog's, never the run's word; a
 * call that wants a judge where none is configured, or whose judge cannot answer, escalates.
 */
export async function judgeFinding(
  deps: GuardDependencies,
  who: { agent: OsoValue; onBehalfOf: OsoValue },
  tool: ToolDefinition,
  args: unknown,
  source?: unknown,
): Promise<RuleFinding | undefined> {
  if (!judgeWanted(deps.agents, who.agent, tool)) return undefined;
  const judge = deps.judge;
  if (judge === undefined) {
    return {
      rule: 'judge',
      verdict: 'escalate',
      reason: `${tool.name} asks for a judge and this worker has none configured (judge in warden.config.ts)`,
    };
  }
  const purposes = [...new Set(catalogAgents(deps.agents, who.agent).map((a) => a.purpose))];
  const input: JudgeInput = {
    agent: who.agent,
    onBehalfOf: who.onBehalfOf,
    purpose: purposes.join('\n'),
    tool: tool.name,
    toolDescription: tool.description,
    arguments: args,
    ...judgeContext(source),
  };
  try {
    const record = await judge.judge(input);
    return {
      rule: 'judge',
      verdict: record.verdict,
      reason: `${judge.name}: ${record.reason}`,
      judge: record,
    };
  } catch (error) {
    // A judge that cannot answer asks a person rather than waving the call through.
    return {
      rule: 'judge',
      verdict: 'escalate',
      reason: `${judge.name} failed: ${(error as Error).message}`,
    };
  }
}
