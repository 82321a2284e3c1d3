import { randomUUID } from 'node:crypto';
import type { GuardObservation } from '../activities/guard/observer.ts';
import type { Alert, AlertRuleName, AlertSeverity } from './alert.ts';
import type { PendingGrant, SqliteAlertStore } from './alert-store.ts';
import type { AlertRules } from './alerts-config.ts';

/** An alert to raise, and the key under which it is raised once. */
export interface Finding {
  alert: Alert;
  dedupeKey: string;
}

/** A host pattern as the intent rules write them: `api.acme.example`, or `*.acme.example` for subdomains. */
function hostMatches(host: string, pattern: string): boolean {
  const p = pattern.toLowerCase();
  return p.startsWith('*.') ? host.endsWith(p.slice(1)) : host === p;
}

function finding(
  rule: AlertRuleName,
  severity: AlertSeverity,
  title: string,
  description: string,
  o: Pick<GuardObservation, 'at' | 'run' | 'callId' | 'tool'> & { agent?: string; user?: string },
  dedupe: string,
  extra: Partial<Pick<Alert, 'host' | 'counts'>> = {},
): Finding {
  return {
    dedupeKey: `${rule}:${dedupe}`,
    alert: {
      id: randomUUID(),
      rule,
      title,
      description,
      severity,
      at: o.at,
      run: o.run,
      ...(o.agent ? { agent: o.agent } : {}),
      ...(o.user ? { user: o.user } : {}),
      ...(o.tool ? { tool: o.tool } : {}),
      ...(o.callId ? { callId: o.callId } : {}),
      ...extra,
    },
  };
}

const runKey = (o: Pick<GuardObservation, 'run'>) => JSON.stringify([o.run.workflowId, o.run.runId]);

/**
 * Evaluates the rules on one decision of the tool worker and counts it into the baselines. Runs in
 * the store's transaction: the baseline read and the count of this call are one step.
 */
export function evaluateObservation(
  store: SqliteAlertStore,
  rules: AlertRules,
  o: GuardObservation,
): Finding[] {
  const found: Finding[] = [];
  const agent = o.agent?.id;
  const user = o.onBehalfOf?.id;
  const who = {
    at: o.at,
    run: o.run,
    ...(o.callId !== undefined ? { callId: o.callId } : {}),
    ...(o.tool !== undefined ? { tool: o.tool } : {}),
    ...(agent ? { agent } : {}),
    ...(user ? { user } : {}),
  };
  const pairKey = JSON.stringify([agent ?? '', user ?? '']);
  const run = runKey(o);

  if (o.callId !== undefined) {
    if (o.step === 'execute') store.settlePendingGrant(o.run, o.callId);
    if (o.outcome === 'needs_approval' && o.grantExpiresAt !== undefined && o.tool !== undefined) {
      store.addPendingGrant({
        run: o.run,
        callId: o.callId,
        tool: o.tool,
        ...(agent ? { agent } : {}),
        ...(user ? { user } : {}),
        expiresAt: o.grantExpiresAt,
      });
    }
  }

  if (o.outcome === 'denied' && rules.denialBurst.enabled) {
    const r = rules.denialBurst;
    const count = store.addDenial(pairKey, o.at, r.windowSeconds * 1000);
    if (count >= r.threshold) {
      found.push(
        finding(
          'denial_burst',
          'medium',
          'Burst of denied or invalid tool calls',
          `${count} calls of ${agent ?? 'an unknown agent'} for ${user ?? 'an unknown user'} were refused within ${r.windowSeconds} s (threshold ${r.threshold})`,
          who,
          `${pairKey}:${run}`,
          { counts: { denials: count, threshold: r.threshold, windowSeconds: r.windowSeconds } },
        ),
      );
    }
  }

  if (o.tainted && rules.taintedArguments.enabled) {
    found.push(
      finding(
        'tainted_arguments',
        'high',
        'Tool call with arguments of untrusted provenance',
        `${o.tool ?? 'a tool'} was called with arguments derived from untrusted content (outcome: ${o.outcome})`,
        who,
        `${run}:${o.callId ?? ''}`,
      ),
    );
  }

  if (o.step === 'decide' && rules.newExternalHost.enabled) {
    for (const host of o.hosts) {
      if (rules.newExternalHost.knownHosts.some((p) => hostMatches(host, p))) continue;
      if (!store.firstSighting(host, o.at)) continue;
      found.push(
        finding(
          'new_external_host',
          'medium',
          'First call to a new external host',
          `${o.tool ?? 'a tool'} called ${host}, a host no call of this deployment contacted before (outcome: ${o.outcome})`,
          who,
          host,
          { host },
        ),
      );
    }
  }

  if (agent === undefined || o.tool === undefined || o.outcome === 'denied') return found;
  const counted = o.step === 'decide';
  const records = o.outcome === 'executed' ? (o.recordsRead ?? 0) : 0;
  if (!counted && records === 0) return found;
  const baseline = store.baseline(agent, o.tool, o.run);
  const totals = store.countCall(o.run, agent, o.tool, records, counted ? 1 : 0, o.at);

  const usage = rules.unusualToolUsage;
  const learned = baseline.runs >= usage.learningRuns;
  if (usage.enabled && counted && learned) {
    const expected = usage.expectedTools[agent] ?? [];
    if (!baseline.usedTool && !expected.includes(o.tool)) {
      found.push(
        finding(
          'unusual_tool_usage',
          'medium',
          'Agent used a tool it has not used before',
          `${agent} called ${o.tool}, which none of its ${baseline.runs} recorded runs used`,
          who,
          `${run}:${o.tool}`,
          { counts: { recordedRuns: baseline.runs } },
        ),
      );
    } else {
      const most = baseline.maxCallsPerRun;
      const limit = Math.max(usage.minCallsPerRun, usage.factor * most);
      if (totals.toolCalls > limit) {
        found.push(
          finding(
            'unusual_tool_usage',
            'medium',
            'Agent called a tool far more often than in its history',
            `${agent} called ${o.tool} ${totals.toolCalls} times in this run; its recorded runs called it at most ${most} times`,
            who,
            `${run}:${o.tool}:volume`,
            { counts: { calls: totals.toolCalls, limit, recordedMax: most } },
          ),
        );
      }
    }
  }

  const mass = rules.massDataAccess;
  if (mass.enabled && records > 0) {
    const limit = Math.max(mass.minRecordsPerRun, mass.factor * baseline.meanRecordsPerRun);
    if (totals.runRecords > limit) {
      found.push(
        finding(
          'mass_data_access',
          'high',
          'Mass data access in one run',
          `${agent} read ${totals.runRecords} records in this run (limit ${Math.round(limit)}: the larger of ${mass.minRecordsPerRun} and ${mass.factor} × its mean of ${baseline.meanRecordsPerRun.toFixed(1)})`,
          who,
          run,
          { counts: { records: totals.runRecords, limit: Math.round(limit) } },
        ),
      );
    }
    const windowMs = mass.windowSeconds * 1000;
    const inWindow = store.addRecords(pairKey, records, o.at, windowMs);
    if (inWindow > mass.maxRecordsPerWindow) {
      found.push(
        finding(
          'mass_data_access',
          'high',
          'Mass data access within a window',
          `${agent} read ${inWindow} records for ${user ?? 'an unknown user'} within ${mass.windowSeconds} s (limit ${mass.maxRecordsPerWindow})`,
          who,
          `window:${pairKey}:${Math.floor(o.at / windowMs)}`,
          {
            counts: { records: inWindow, limit: mass.maxRecordsPerWindow, windowSeconds: mass.windowSeconds },
          },
        ),
      );
    }
  }
  return found;
}

/** A call that waited for approval and whose execution never reached a tool worker before its grant expired. */
export function approvalTimeoutFinding(grant: PendingGrant, now: number): Finding {
  return finding(
    'approval_timeout',
    'low',
    'Approval wait ended without an execution',
    `${grant.tool} waited for approval and was not executed before its guard decision expired (${new Date(grant.expiresAt).toISOString()}): the approval timed out, was rejected, or the run abandoned the call`,
    {
      at: now,
      run: grant.run,
      callId: grant.callId,
      tool: grant.tool,
      ...(grant.agent ? { agent: grant.agent } : {}),
      ...(grant.user ? { user: grant.user } : {}),
    },
    `${runKey(grant)}:${grant.callId}`,
  );
}
