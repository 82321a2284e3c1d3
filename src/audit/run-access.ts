import type { Client } from '@temporalio/client';
import type { TypedSearchAttributes } from '@temporalio/common';
import { parseUserRef } from '../approvals/auth/approver-identity.ts';
import type { Authorizer, ContextFact, OsoValue } from '../authz/types.ts';
import { WARDEN_USER } from '../temporal/search-attributes.ts';

/** Workflow ids the access check queries visibility for; anything else is refused unasked. */
const QUERYABLE_ID = /^[A-Za-z0-9._:@/=+-]{1,256}$/;

/** What one read decision was based on, for the codec server's log. */
export interface RunReadDecision {
  allowed: boolean;
  workflowId: string;
  reason: string;
}

/**
 * Who may read a run's payloads (decrypt them through the codec server): the policy decides
 * `allow(actor, "read", Run{workflowId})`, told the run's user as the context fact
 * `has_relation(Run{workflowId}, "user", User{…})` taken from the run's WardenUser search attribute.
 * Every execution that ever used the workflow id must allow it (a later run under the same id, started
 * by someone else, must not open an earlier run's payloads), and an id with no execution is refused.
 */
export class RunReadAccess {
  constructor(
    private readonly client: Client,
    private readonly authorizer: Pick<Authorizer, 'authorize'>,
  ) {}

  async decide(actor: OsoValue, workflowId: string): Promise<RunReadDecision> {
    const refuse = (reason: string): RunReadDecision => ({ allowed: false, workflowId, reason });
    if (!QUERYABLE_ID.test(workflowId)) return refuse('not a workflow id Warden reads');
    const executions = await this.executionUsers(workflowId);
    if (executions.size === 0) return refuse('unknown run');
    const resource: OsoValue = { type: 'Run', id: workflowId };
    const users = new Map<string, OsoValue | undefined>();
    for (const user of executions.values()) users.set(user ? `${user.type}:${user.id}` : '', user);
    for (const user of users.values()) {
      const context: ContextFact[] = user ? [['has_relation', resource, 'user', user]] : [];
      const decision = await this.authorizer.authorize({ actor, action: 'read', resource, context });
      if (!decision.allowed) {
        return refuse(decision.error ? `policy error: ${decision.error}` : 'the policy does not allow read');
      }
    }
    return { allowed: true, workflowId, reason: `read allowed on ${executions.size} execution(s)` };
  }

  /**
   * The user of every execution with that id, by run id: visibility for closed and earlier runs,
   * describe (strongly consistent) for the latest.
   */
  private async executionUsers(workflowId: string): Promise<Map<string, OsoValue | undefined>> {
    const byRun = new Map<string, OsoValue | undefined>();
    for await (const execution of this.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
      byRun.set(execution.runId, runUser(execution.typedSearchAttributes));
    }
    try {
      const latest = await this.client.workflow.getHandle(workflowId).describe();
      byRun.set(latest.runId, runUser(latest.typedSearchAttributes));
    } catch {
      // Not found (or not yet visible): visibility's answer stands.
    }
    return byRun;
  }
}

function runUser(attributes: TypedSearchAttributes): OsoValue | undefined {
  const value = attributes.get(WARDEN_USER);
  if (typeof value !== 'string') return undefined;
  try {
    return parseUserRef(value);
  } catch {
    return undefined;
  }
}
