import { z } from 'zod';

/**
 * The alert rules, their thresholds and the sinks, as a project's `warden.config.ts` sets them
 * (`alerts: { … }`). Every field has a default, so `alerts: {}` turns alerting on with the defaults.
 */
const rule = <T extends z.ZodRawShape>(shape: T) =>
  z.object({ enabled: z.boolean().default(true), ...shape }).strict();

export const alertsConfigSchema = z
  .object({
    rules: z
      .object({
        /** Records read above the agent's baseline, in one run or by an agent/user pair in a window. */
        massDataAccess: rule({
          /** Never below this many records per run, whatever the baseline says. */
          minRecordsPerRun: z.number().int().positive().default(25),
          /** A run reading more than `factor` × the agent's mean records per run. */
          factor: z.number().positive().default(3),
          /** Records read by one agent for one user within `windowSeconds`. */
          maxRecordsPerWindow: z.number().int().positive().default(200),
          windowSeconds: z.number().int().positive().default(3_600),
        }).prefault({}),
        /** A tool the agent has not used in its recorded history, or far more calls of one in a run. */
        unusualToolUsage: rule({
          /** Runs the agent must have on record before a new tool counts as unusual. */
          learningRuns: z.number().int().nonnegative().default(3),
          /** Calls of one tool in a run above `factor` × the most the agent made in a recorded run. */
          factor: z.number().positive().default(3),
          /** Never below this many calls of one tool in a run. */
          minCallsPerRun: z.number().int().positive().default(10),
          /** Tools each agent is expected to use from the start, by agent id. */
          expectedTools: z.record(z.string(), z.array(z.string())).default({}),
        }).prefault({}),
        /** The deployment's first call to a host; `knownHosts` are known from the start. */
        newExternalHost: rule({ knownHosts: z.array(z.string()).default([]) }).prefault({}),
        /** Denied or invalid calls of one agent for one user within a window. */
        denialBurst: rule({
          threshold: z.number().int().positive().default(3),
          windowSeconds: z.number().int().positive().default(300),
        }).prefault({}),
        /** A call decided on arguments of untrusted provenance. */
        taintedArguments: rule({}).prefault({}),
        /** A call that waited for approval and whose execution never came before its grant expired. */
        approvalTimeout: rule({
          /** How often the worker looks for expired grants. */
          sweepSeconds: z.number().positive().default(30),
        }).prefault({}),
      })
      .strict()
      .prefault({}),
    sinks: z
      .array(
        z.discriminatedUnion('kind', [
          z.object({ kind: z.literal('jsonl'), path: z.string().min(1) }).strict(),
          z
            .object({
              kind: z.literal('webhook'),
              url: z.url({ protocol: /^https?$/ }),
              /** e.g. `{ Authorization: 'Splunk <token>' }` for Splunk HEC. */
              headers: z.record(z.string(), z.string()).default({}),
              /** `splunk-hec` wraps each event as HEC expects (`{ event, sourcetype, time }`). */
              format: z.enum(['ocsf', 'splunk-hec']).default('ocsf'),
              /** Alerts waiting to be sent; beyond this the oldest are dropped (and counted). */
              queueSize: z.number().int().positive().default(1_000),
              retries: z.number().int().nonnegative().default(3),
              timeoutMs: z.number().int().positive().default(5_000),
            })
            .strict(),
          z.object({ kind: z.literal('stdout') }).strict(),
        ]),
      )
      .default([]),
  })
  .strict();

export type AlertsConfig = z.input<typeof alertsConfigSchema>;
export type ResolvedAlertsConfig = z.output<typeof alertsConfigSchema>;
export type AlertRules = ResolvedAlertsConfig['rules'];
export type SinkConfig = ResolvedAlertsConfig['sinks'][number];

export class AlertsConfigError extends Error {
  override name = 'AlertsConfigError';
}

/** The project's alerts section with every default filled in; a bad value names its field. */
export function resolveAlertsConfig(config: AlertsConfig | undefined): ResolvedAlertsConfig {
  const parsed = alertsConfigSchema.safeParse(config ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AlertsConfigError(`alerts.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}
