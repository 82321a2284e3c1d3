import type { RunKey } from '../usage/usage-store.ts';

export type AlertRuleName =
  | 'mass_data_access'
  | 'unusual_tool_usage'
  | 'new_external_host'
  | 'denial_burst'
  | 'tainted_arguments'
  | 'approval_timeout';

export type AlertSeverity = 'low' | 'medium' | 'high' | 'critical';

/**
 * One alert, as the tool worker raised it. It names the run, agent, user and tool, and counts; it
 * never holds an argument value or a tool output (a host is the host alone, never the URL).
 */
export interface Alert {
  /** Unique per alert: the same finding raised twice keeps its first id. */
  id: string;
  rule: AlertRuleName;
  title: string;
  description: string;
  severity: AlertSeverity;
  /** Epoch milliseconds. */
  at: number;
  run: RunKey;
  agent?: string;
  user?: string;
  tool?: string;
  callId?: string;
  host?: string;
  /** What crossed the threshold, and the threshold: numbers only. */
  counts?: Record<string, number>;
}
