import { Context } from '@temporalio/activity';

/**
 * The state of each evaluation run, by workflow id. Tools keep their usual services interface
 * (`services.crm.issueRefund(…)`); the service objects look up the run whose activity is executing,
 * so runs in parallel never see each other's data and the score reads what each run's tools did.
 */
export class RunEnvironments<State> {
  private readonly states = new Map<string, State>();

  register(workflowId: string, state: State): void {
    if (this.states.has(workflowId)) throw new Error(`run ${workflowId} already has an environment`);
    this.states.set(workflowId, state);
  }

  get(workflowId: string): State {
    const state = this.states.get(workflowId);
    if (state === undefined) throw new Error(`no eval environment for run ${workflowId}`);
    return state;
  }

  /** The state of the run whose activity is executing now. */
  current(): State {
    const run = Context.current().info.workflowExecution;
    if (run === undefined) throw new Error('an eval tool ran outside a workflow run');
    return this.get(run.workflowId);
  }

  /**
   * An object that forwards every property to `pick(current state)`: what a tool's services hold,
   * e.g. `crm: environments.view((s) => s.crm)`.
   */
  view<T extends object>(pick: (state: State) => T): T {
    return new Proxy({} as T, {
      get: (_target, property) => {
        const target = pick(this.current());
        const value = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }
}
