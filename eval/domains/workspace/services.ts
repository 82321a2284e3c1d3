import type { ToolServices } from 'warden';
import { RunEnvironments } from '../../harness/environments.ts';
import type { Workspace } from './state.ts';
import './workspace-of.ts';

/** Each evaluation run's workspace, by workflow id (registered by the evaluation before the run). */
export const workspaceEnvironments = new RunEnvironments<Workspace>();

/**
 * The workspace worker's services. The cast is for this repository only: its one ToolServices
 * declaration also names the support copilot's services, which a workspace worker does not have.
 */
export function workspaceServices(): ToolServices {
  const services: Pick<ToolServices, 'workspace'> = { workspace: workspaceEnvironments.view((w) => w) };
  return services as ToolServices;
}
