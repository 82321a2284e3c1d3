import { ocsfMetadata, ocsfObservables } from '../alerts/ocsf.ts';
import type { AuditRecord } from './siem-export.ts';

const ALLOWED = new Set(['allow', 'approve', 'executed', 'approved', 'unattended']);
const BLOCKED = new Set([
  'deny',
  'invalid',
  'denied',
  'rejected',
  'reject',
  'expired',
  'failed',
  'unverified',
]);

/** OCSF status: success when the step let the call go on, failure when it stopped it, else unknown. */
function status(decision: string): { status_id: number; status: string } {
  if (ALLOWED.has(decision)) return { status_id: 1, status: 'Success' };
  if (BLOCKED.has(decision) || decision.startsWith('refused_')) return { status_id: 2, status: 'Failure' };
  return { status_id: 0, status: 'Unknown' };
}

/**
 * One audit record as an OCSF API Activity event (class 6003, activity Other): the operation is the
 * tool (or the audit event when no tool applies), the actor the user the run acts for (the approver
 * for an approval), and the Warden record itself under `unmapped.warden`, field for field (a call's
 * provenance in short among them); a provenance event is labelled with its decision signature's check.
 */
export function ocsfAuditEvent(record: AuditRecord, index: number) {
  const actorUser = record.event === 'approval' ? record.approver : record.user;
  const denied = status(record.decision).status_id === 2;
  const labels = [
    ...(record.policy_version ? [`policy:${record.policy_version}`] : []),
    ...(record.decision_signature ? [`decision_signature:${record.decision_signature}`] : []),
  ];
  return {
    activity_id: 99,
    activity_name: record.event,
    category_uid: 6,
    category_name: 'Application Activity',
    class_uid: 6003,
    class_name: 'API Activity',
    type_uid: 600399,
    type_name: 'API Activity: Other',
    severity_id: denied ? 3 : 1,
    severity: denied ? 'Medium' : 'Informational',
    time: Date.parse(record.ts),
    message: record.reason,
    ...status(record.decision),
    metadata: ocsfMetadata(`${record.workflow_id}:${record.run_id}:${index}`, {
      log_name: 'warden.audit',
      original_time: record.ts,
      ...(labels.length > 0 ? { labels } : {}),
    }),
    api: { operation: record.tool ?? record.event, service: { name: 'warden' } },
    actor: {
      ...(actorUser ? { user: { name: actorUser, uid: actorUser } } : {}),
      ...(record.agent ? { app_name: record.agent } : {}),
    },
    src_endpoint: { svc_name: record.workflow_type },
    cloud: { provider: 'Temporal' },
    observables: ocsfObservables({
      workflowId: record.workflow_id,
      runId: record.run_id,
      agent: record.agent,
      user: record.user,
      tool: record.tool,
    }),
    unmapped: { warden: record },
  };
}
