import type { Client } from '@temporalio/client';
import type { ApproverIdentity } from '../approvals/auth/approver-identity.ts';
import { listPendingApprovals, pendingApprovalsPage, pendingRunsQuery } from '../approvals/list-pending.ts';
import { ListingCursors } from '../approvals/listing-cursor.ts';
import { withRecordedProvenance } from '../approvals/recorded-provenance.ts';
import { type DecisionSigner, resolveDecisionSigner } from '../approvals/signing-keys.ts';
import { type ApprovalServiceContext, submitApproval } from '../approvals/submit-approval.ts';
import { decodeHistoryWithClient } from '../audit/decode-history.ts';
import type { DecisionVerifier } from '../audit/recorded-decisions.ts';
import { decodeRunHistory } from '../audit/run-history.ts';
import { type AuditRecord, auditRecords, exportQuery } from '../audit/siem-export.ts';
import { buildTimeline } from '../audit/timeline.ts';
import { formatValue } from '../authz/values.ts';
import type { WardenConfig } from '../config/env.ts';
import type { PendingApproval } from '../guard/types.ts';
import { listRuns } from '../temporal/list-runs.ts';
import { hostDecisionVerifier } from '../zones/host-decision-verifier.ts';
import type {
  ApprovalsBackend,
  DecideRequest,
  PendingApprovalView,
  PendingListing,
  PendingPageRequest,
  RecentDecisionView,
} from './approvals-backend.ts';

export function pendingView(p: PendingApproval): PendingApprovalView {
  return {
    workflowId: p.workflowId,
    callId: p.callId,
    tool: p.tool,
    arguments: p.arguments,
    risk: p.risk,
    reasons: p.reasons,
    requester: formatValue(p.requester.onBehalfOf),
    agent: formatValue(p.requester.agent),
    requestedAt: p.requestedAt,
    approvalsSoFar: p.approvals.map((a) => `${a.approver} ${a.decision}d`),
    quorum: p.quorum,
    expiresAt: new Date(p.expiresAt).toISOString(),
    ...(p.provenance ? { provenance: p.provenance } : {}),
    ...(p.request !== undefined ? { request: p.request } : {}),
    source: p,
    ...(p.decisionCheck ? { decisionCheck: p.decisionCheck } : {}),
  };
}

function recentView(r: AuditRecord): RecentDecisionView | undefined {
  const base = {
    at: r.ts,
    workflowId: r.workflow_id,
    callId: r.call_id ?? '',
    tool: r.tool ?? '',
    reason: r.reason,
  };
  switch (r.event) {
    case 'authz_decision':
      // A record check's denial refuses the call; the agent's decision (which needs the user's too) says it once.
      if (r.target !== null) {
        if (r.decision === 'allow' || !r.actor?.startsWith('Agent:')) return undefined;
        return { ...base, outcome: 'denied', by: `policy on ${r.target} (${r.engine ?? 'pdp'})` };
      }
      // The `invoke_unattended` check only says whether a human is needed; it is not a denial.
      if (r.action !== 'invoke') return undefined;
      return {
        ...base,
        outcome: r.decision === 'allow' ? 'allowed' : 'denied',
        by: `policy (${r.engine ?? 'pdp'})`,
        ...(r.policy_version ? { policyVersion: r.policy_version } : {}),
      };
    case 'intent_verdict':
      return r.decision === 'allow'
        ? undefined
        : { ...base, outcome: r.decision === 'deny' ? 'denied' : 'escalated', by: 'intent rules' };
    case 'approval':
      return {
        ...base,
        outcome: r.decision === 'approve' ? 'approved' : r.decision === 'reject' ? 'rejected' : r.decision,
        by: r.approver ?? '',
      };
    case 'tool_outcome':
      // A failure whose words the zone's worker signed says so; an unsigned one shows none of them.
      return {
        ...base,
        outcome: r.decision,
        by: r.decision_signature === 'verified' ? 'tool worker (verified)' : 'guard',
      };
    default:
      return undefined;
  }
}

/** The live policy and the tools an approval service checks a decision against before signing it. */
export type ApprovalServicePolicy = Omit<ApprovalServiceContext, 'signer' | 'decisions'> & {
  signer?: DecisionSigner;
  /** Default: the zone public keys of the configuration, for the zones of `tools`. */
  decisions?: DecisionVerifier;
};

/** How the pending listing reads visibility. */
export interface PendingListingOptions {
  /** Runs per page when the request names none (default 20, at most 100). */
  pageSize?: number;
  /** A visibility filter ANDed to every listing, e.g. `TaskQueue = "support"`. */
  filter?: string;
}

/** The approvals machinery of a Warden deployment, on a Temporal client. */
export class TemporalApprovalsBackend implements ApprovalsBackend {
  private signer: Promise<DecisionSigner> | undefined;
  private verifier: DecisionVerifier | undefined;
  private readonly cursors = new ListingCursors();

  constructor(
    private readonly client: Client,
    private readonly config: WardenConfig,
    private readonly service: ApprovalServicePolicy,
    private readonly recentRuns = 10,
    private readonly listing: PendingListingOptions = {},
  ) {}

  /**
   * One page of runs with calls waiting, read from the memos the visibility listing returns (a run
   * whose memo does not list its calls is queried; no history is read), and each call keeps only
   * what its zone's worker signed (withRecordedProvenance); who may see which call is the page's
   * need-to-know check, after this.
   */
  async listPending(page: PendingPageRequest = {}): Promise<PendingListing> {
    const filter = this.listing.filter;
    const after =
      page.after === undefined ? undefined : this.cursors.read(page.after, pendingRunsQuery(filter));
    const found = await pendingApprovalsPage(this.client, {
      limit: page.limit ?? this.listing.pageSize,
      ...(filter !== undefined ? { filter } : {}),
      ...(after !== undefined ? { after } : {}),
    });
    const items = withRecordedProvenance(found.items, this.decisions()).map(pendingView);
    return {
      items,
      runs: found.runs,
      ...(found.next ? { next: this.cursors.issue(found.next, found.query) } : {}),
    };
  }

  /** One call as the page shows it before a decision: a describe of the run (its memo), no query. */
  async pendingCall(workflowId: string, callId: string): Promise<PendingApprovalView | undefined> {
    try {
      const pending = await listPendingApprovals(this.client, { workflowId });
      const item = pending.find((p) => p.callId === callId);
      if (item === undefined) return undefined;
      const [shown] = withRecordedProvenance([item], this.decisions());
      return shown ? pendingView(shown) : undefined;
    } catch {
      // No such run, a finished one, or a workflow without the pending-approvals query.
      return undefined;
    }
  }

  async recentDecisions(limit: number): Promise<RecentDecisionView[]> {
    const rows: RecentDecisionView[] = [];
    let runs = 0;
    for await (const { workflowId, runId } of listRuns(this.client, exportQuery(), this.recentRuns)) {
      try {
        const history = await this.client.workflow.getHandle(workflowId, runId).fetchHistory();
        const decoded = await decodeHistoryWithClient(this.client, history, workflowId);
        const run = decodeRunHistory(decoded, workflowId);
        const timeline = buildTimeline(run, undefined, { decisions: this.decisions() });
        for (const record of auditRecords(run, timeline)) {
          const view = recentView(record);
          if (view) rows.push(view);
        }
      } catch {
        // A run this process cannot read (another deployment's payload key) is not shown here.
      }
      if (++runs >= this.recentRuns) break;
    }
    return rows.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0)).slice(0, limit);
  }

  async decide(identity: ApproverIdentity, request: DecideRequest): Promise<string> {
    const result = await submitApproval(this.client, {
      workflowId: request.workflowId,
      callId: request.callId,
      approver: identity,
      decision: request.approve ? 'approve' : 'reject',
      ...(request.reason ? { reason: request.reason } : {}),
      ...(request.shown?.source ? { shown: request.shown.source } : {}),
      signer: await this.signingKey(),
      authorizer: this.service.authorizer,
      tools: this.service.tools,
      decisions: this.decisions(),
      mode: this.config.WARDEN_MODE,
    });
    const verb = request.approve ? 'approved' : 'rejected';
    return result.state === 'waiting'
      ? `${verb} call ${request.callId}: ${result.approvals} of ${result.quorum} approvals, waiting for more`
      : `${verb} call ${request.callId} of ${request.workflowId}: the call is ${result.state}`;
  }

  /** The zone keys the recorded decisions are checked with, read once. */
  decisions(): DecisionVerifier {
    this.verifier ??= this.service.decisions ?? hostDecisionVerifier(this.config, this.service.tools);
    return this.verifier;
  }

  private signingKey(): Promise<DecisionSigner> {
    if (this.service.signer) return Promise.resolve(this.service.signer);
    this.signer ??= resolveDecisionSigner(this.config);
    return this.signer;
  }
}
