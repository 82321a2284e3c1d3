import { resolveCall } from '../activities/guard/tool-lookup.ts';
import type { ApproverIdentity } from '../approvals/auth/approver-identity.ts';
import type { Authorizer, OsoValue } from '../authz/types.ts';
import { formatValue } from '../authz/values.ts';
import type { ToolRegistry } from '../tools/define-tool.ts';
import type { PendingApprovalView, RecentDecisionView } from './approvals-backend.ts';

/**
 * Need-to-know on the approvals page: a signed-in user sees a pending call, its arguments and the
 * decisions on its tool only when the live policy lets that user `approve` the tool (the example
 * policy's global `security` role approves every tool, so it sees everything). The requester never
 * sees her own call here: she could not approve it. Decided per request against the PDP, so a role
 * revoked a moment ago hides the calls at once.
 */
export class ApprovalVisibility {
  constructor(
    private readonly authorizer: Authorizer,
    /** The project's tools, for tools authorized against a resource of their own; else `Tool:<name>`. */
    private readonly tools?: ToolRegistry,
  ) {}

  /** A view for one page render: decisions per resource are asked once. */
  forIdentity(identity: ApproverIdentity): IdentityVisibility {
    return new IdentityVisibility(this.authorizer, this.tools, identity);
  }
}

export class IdentityVisibility {
  private readonly decided = new Map<string, Promise<boolean>>();
  private readonly who: string;

  constructor(
    private readonly authorizer: Authorizer,
    private readonly tools: ToolRegistry | undefined,
    private readonly identity: ApproverIdentity,
  ) {
    this.who = formatValue(identity.user);
  }

  async pending(items: PendingApprovalView[]): Promise<PendingApprovalView[]> {
    const visible = await Promise.all(items.map((item) => this.maySee(item)));
    return items.filter((_, index) => visible[index]);
  }

  async decisions(rows: RecentDecisionView[]): Promise<RecentDecisionView[]> {
    // An audit row has no arguments, so its tool's resource is the default one.
    const visible = await Promise.all(
      rows.map((row) => (row.tool === '' ? false : this.mayApprove({ type: 'Tool', id: row.tool }))),
    );
    return rows.filter((_, index) => visible[index]);
  }

  /** Whether this user may see (and so decide) one pending call. Fails closed on any doubt. */
  async maySee(item: PendingApprovalView): Promise<boolean> {
    if (item.requester === this.who) return false;
    const resource = this.resourceOf(item);
    return resource !== undefined && this.mayApprove(resource);
  }

  private resourceOf(item: PendingApprovalView): OsoValue | undefined {
    if (this.tools === undefined) return { type: 'Tool', id: item.tool };
    try {
      const { tool, args } = resolveCall(this.tools, item.tool, item.arguments);
      return tool.resource(args);
    } catch {
      // A tool this project does not know, or arguments its schema refuses: nobody here approves it.
      return undefined;
    }
  }

  private mayApprove(resource: OsoValue): Promise<boolean> {
    if (this.identity.user.type !== 'User') return Promise.resolve(false);
    const key = `${resource.type}:${resource.id}`;
    let decision = this.decided.get(key);
    if (decision === undefined) {
      decision = this.authorizer
        .authorize({ actor: this.identity.user, action: 'approve', resource })
        .then((d) => d.allowed)
        .catch(() => false);
      this.decided.set(key, decision);
    }
    return decision;
  }
}
