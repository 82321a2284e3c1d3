import type { ToolServices } from 'warden/workflow';
import type { Workspace } from './state.ts';

declare module 'warden' {
  /**
   * What the workspace assistant's tools use. Optional because every project of this repository
   * shares one declaration: the support copilot's services have no workspace.
   */
  interface ToolServices {
    workspace?: Workspace;
  }
}

/** The workspace of the services a tool was given; a worker without one is misconfigured. */
export function workspaceOf(services: ToolServices): Workspace {
  if (services.workspace === undefined) throw new Error('this worker has no workspace service');
  return services.workspace;
}
