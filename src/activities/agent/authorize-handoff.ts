import type { Authorizer, AuthzDecision, OsoValue } from '../../authz/types.ts';

export interface HandoffRequest {
  /** The agent handing the conversation over. */
  from: OsoValue;
  /** The agent that would take it, with its own identity and tools. */
  to: OsoValue;
  onBehalfOf: OsoValue;
}

export interface AgentActivities {
  authorizeHandoff(request: HandoffRequest): Promise<AuthzDecision>;
}

export const HANDOFF_ACTION = 'handoff';

/**
 * A handoff gives the user's conversation to another agent: `allow(Agent:from, "handoff", Agent:to)`
 * acting for the user, decided by the same PDP as tool calls. Without a rule the answer is no.
 */
export function createAgentActivities(authorizer: Pick<Authorizer, 'authorize'>): AgentActivities {
  return {
    async authorizeHandoff({ from, to, onBehalfOf }) {
      return authorizer.authorize({ actor: from, action: HANDOFF_ACTION, resource: to, onBehalfOf });
    },
  };
}
