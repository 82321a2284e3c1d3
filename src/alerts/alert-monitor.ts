import type { GuardObservation, GuardObserver } from '../activities/guard/observer.ts';
import type { Alert } from './alert.ts';
import { SqliteAlertStore } from './alert-store.ts';
import type { ResolvedAlertsConfig } from './alerts-config.ts';
import { detectionFinding } from './ocsf.ts';
import { approvalTimeoutFinding, evaluateObservation, type Finding } from './rules.ts';
import { type AlertSink, createSink } from './sinks.ts';

/**
 * The alert rules, run on the tool worker as it decides: each decision is counted into the
 * deployment's baselines and checked in one transaction, each new alert stored once and handed to
 * the sinks. A timer looks for approval waits whose execution never came. Nothing here can fail or
 * delay a call: errors are counted, delivery is queued.
 */
export class AlertMonitor implements GuardObserver {
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Observations the monitor could not evaluate (e.g. the store was locked for too long). */
  errors = 0;

  constructor(
    readonly store: SqliteAlertStore,
    private readonly config: ResolvedAlertsConfig,
    readonly sinks: AlertSink[],
  ) {}

  static inDataDir(dataDir: string, config: ResolvedAlertsConfig): AlertMonitor {
    return new AlertMonitor(SqliteAlertStore.inDataDir(dataDir), config, config.sinks.map(createSink));
  }

  observe(observation: GuardObservation): void {
    if (this.closed) return;
    this.raise(() => evaluateObservation(this.store, this.config.rules, observation));
  }

  /** Raises an alert for every approval wait whose grant expired before its execution arrived. */
  sweep(now = Date.now()): Alert[] {
    if (this.closed || !this.config.rules.approvalTimeout.enabled) return [];
    return this.raise(() =>
      this.store.takeExpiredGrants(now).map((grant) => approvalTimeoutFinding(grant, now)),
    );
  }

  /** Starts the approval-timeout sweep; the timer never keeps the process alive. */
  start(): this {
    if (this.config.rules.approvalTimeout.enabled && this.timer === undefined) {
      this.timer = setInterval(() => {
        this.sweep();
        this.store.prune(Date.now());
      }, this.config.rules.approvalTimeout.sweepSeconds * 1000);
      this.timer.unref();
    }
    return this;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await Promise.all(this.sinks.map((sink) => sink.close()));
    this.store.close();
  }

  private raise(evaluate: () => Finding[]): Alert[] {
    let raised: Alert[];
    try {
      raised = this.store.transaction(() =>
        evaluate()
          .filter((f) => this.store.raise(f.alert, f.dedupeKey))
          .map((f) => f.alert),
      );
    } catch {
      this.errors += 1;
      return [];
    }
    for (const alert of raised) {
      const event = detectionFinding(alert);
      for (const sink of this.sinks) {
        try {
          sink.send(event);
        } catch {
          this.errors += 1;
        }
      }
    }
    return raised;
  }
}
