import path from 'node:path';
import type { ToolDefinition, ToolServices } from 'warden';
import type { Domain } from '../harness/domain.ts';
import type { RunEnvironments } from '../harness/environments.ts';
import { supportTools } from './support/agents.ts';
import { supportDomain } from './support/domain.ts';
import { supportEnvironments, supportServices } from './support/services.ts';
import { workspaceDomain } from './workspace/domain.ts';
import { workspaceEnvironments, workspaceServices } from './workspace/services.ts';
import { workspaceTools } from './workspace/tools.ts';

/** What the evaluation needs of a domain: its checks, its Warden project, its run environments. */
export interface EvalDomain<State = unknown> {
  domain: Domain<State>;
  /** The directory of the domain's warden.config.ts (today's guard). */
  projectDir: string;
  environments: RunEnvironments<State>;
  /** The agent's tools and services, for the bare baseline. */
  tools: readonly ToolDefinition[];
  services: () => ToolServices;
  taskFile: string;
  /**
   * Users the domain's policy lets approve calls, in the order the approval pass's scripted
   * approver asks them (distinct people, so that a quorum of two can be met).
   */
  approvers: readonly string[];
}

const here = import.meta.dirname;

function evalDomain<State>(d: EvalDomain<State>): EvalDomain {
  return d as unknown as EvalDomain;
}

export const evalDomains: EvalDomain[] = [
  evalDomain({
    domain: supportDomain,
    projectDir: path.join(here, 'support'),
    environments: supportEnvironments,
    tools: supportTools,
    services: supportServices,
    taskFile: path.join(here, '../tasks/support.yaml'),
    // bob approves refunds and external posts; carol (security) approves anything.
    approvers: ['bob', 'carol'],
  }),
  evalDomain({
    domain: workspaceDomain,
    projectDir: path.join(here, 'workspace'),
    environments: workspaceEnvironments,
    tools: workspaceTools,
    services: workspaceServices,
    taskFile: path.join(here, '../tasks/workspace.yaml'),
    // sam (security) approves anything; emma runs the tasks and may not approve her own calls.
    approvers: ['sam'],
  }),
];
