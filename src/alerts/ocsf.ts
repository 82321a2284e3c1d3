import { packageVersion } from '../config/version.ts';
import type { Alert, AlertSeverity } from './alert.ts';

/** The OCSF schema version the events follow. */
export const OCSF_VERSION = '1.3.0';

const SEVERITY_ID: Record<AlertSeverity, number> = { low: 2, medium: 3, high: 4, critical: 5 };
const SEVERITY_NAME: Record<number, string> = {
  1: 'Informational',
  2: 'Low',
  3: 'Medium',
  4: 'High',
  5: 'Critical',
};

/** OCSF observable type ids used here. */
const OBSERVABLE = { hostname: 1, userName: 4, resourceUid: 10, other: 99 } as const;

export interface OcsfObservable {
  name: string;
  type_id: number;
  type: string;
  value: string;
}

/** Warden as the OCSF product that produced an event. */
export function ocsfMetadata(uid: string, extra: Record<string, unknown> = {}) {
  return {
    version: OCSF_VERSION,
    product: { name: 'Warden', vendor_name: 'Warden', version: packageVersion() },
    uid,
    ...extra,
  };
}

/** The run, agent, user, tool and host of an event as OCSF observables; values are identifiers only. */
export function ocsfObservables(ids: {
  workflowId: string;
  runId?: string;
  agent?: string | null;
  user?: string | null;
  tool?: string | null;
  host?: string | null;
}): OcsfObservable[] {
  const out: OcsfObservable[] = [
    {
      name: 'warden.workflow_id',
      type_id: OBSERVABLE.resourceUid,
      type: 'Resource UID',
      value: ids.workflowId,
    },
  ];
  if (ids.runId)
    out.push({
      name: 'warden.run_id',
      type_id: OBSERVABLE.resourceUid,
      type: 'Resource UID',
      value: ids.runId,
    });
  if (ids.agent)
    out.push({ name: 'warden.agent', type_id: OBSERVABLE.other, type: 'Other', value: ids.agent });
  if (ids.user)
    out.push({ name: 'actor.user.name', type_id: OBSERVABLE.userName, type: 'User Name', value: ids.user });
  if (ids.tool) out.push({ name: 'warden.tool', type_id: OBSERVABLE.other, type: 'Other', value: ids.tool });
  if (ids.host)
    out.push({ name: 'warden.host', type_id: OBSERVABLE.hostname, type: 'Hostname', value: ids.host });
  return out;
}

/**
 * An alert as an OCSF Detection Finding (class 2004, category Findings, activity Create). What the
 * alert counted goes under `unmapped.warden`; no argument value or tool output is ever part of it.
 */
export function detectionFinding(alert: Alert) {
  const severityId = SEVERITY_ID[alert.severity];
  return {
    activity_id: 1,
    activity_name: 'Create',
    category_uid: 2,
    category_name: 'Findings',
    class_uid: 2004,
    class_name: 'Detection Finding',
    type_uid: 200401,
    type_name: 'Detection Finding: Create',
    severity_id: severityId,
    severity: SEVERITY_NAME[severityId],
    status_id: 1,
    status: 'New',
    time: alert.at,
    message: alert.description,
    metadata: ocsfMetadata(alert.id, { log_name: 'warden.alerts' }),
    finding_info: {
      uid: alert.id,
      title: alert.title,
      desc: alert.description,
      types: [alert.rule],
      analytic: { name: alert.rule, type_id: 1, type: 'Rule', uid: `warden.${alert.rule}` },
      created_time: alert.at,
    },
    ...(alert.user ? { actor: { user: { name: alert.user, uid: alert.user } } } : {}),
    observables: ocsfObservables({
      workflowId: alert.run.workflowId,
      runId: alert.run.runId,
      ...(alert.agent ? { agent: alert.agent } : {}),
      ...(alert.user ? { user: alert.user } : {}),
      ...(alert.tool ? { tool: alert.tool } : {}),
      ...(alert.host ? { host: alert.host } : {}),
    }),
    unmapped: {
      warden: {
        rule: alert.rule,
        workflow_id: alert.run.workflowId,
        run_id: alert.run.runId,
        ...(alert.callId ? { call_id: alert.callId } : {}),
        ...(alert.counts ? { counts: alert.counts } : {}),
      },
    },
  };
}

export type DetectionFinding = ReturnType<typeof detectionFinding>;
