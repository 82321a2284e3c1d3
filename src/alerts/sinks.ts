import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { SinkConfig } from './alerts-config.ts';
import type { DetectionFinding } from './ocsf.ts';

/** Where alerts go. `send` returns at once: delivery happens behind it, and never fails a call. */
export interface AlertSink {
  readonly name: string;
  send(event: DetectionFinding): void;
  /** Delivers what is queued, waiting at most `deadlineMs`. */
  close(deadlineMs?: number): Promise<void>;
  stats(): SinkStats;
}

export interface SinkStats {
  sent: number;
  failed: number;
  dropped: number;
}

/** One JSON object a line, appended in order. */
export class JsonLinesSink implements AlertSink {
  readonly name: string;
  private chain: Promise<void>;
  private readonly counts: SinkStats = { sent: 0, failed: 0, dropped: 0 };

  constructor(private readonly file: string) {
    this.name = `jsonl:${file}`;
    this.chain = mkdir(path.dirname(file), { recursive: true }).then(
      () => {},
      () => {},
    );
  }

  send(event: DetectionFinding): void {
    this.chain = this.chain.then(() =>
      appendFile(this.file, `${JSON.stringify(event)}\n`).then(
        () => {
          this.counts.sent += 1;
        },
        () => {
          this.counts.failed += 1;
        },
      ),
    );
  }

  async close(): Promise<void> {
    await this.chain;
  }

  stats(): SinkStats {
    return { ...this.counts };
  }
}

export class StdoutSink implements AlertSink {
  readonly name = 'stdout';
  private readonly counts: SinkStats = { sent: 0, failed: 0, dropped: 0 };

  send(event: DetectionFinding): void {
    try {
      process.stdout.write(`${JSON.stringify(event)}\n`);
      this.counts.sent += 1;
    } catch {
      this.counts.failed += 1;
    }
  }

  async close(): Promise<void> {}

  stats(): SinkStats {
    return { ...this.counts };
  }
}

type WebhookConfig = Extract<SinkConfig, { kind: 'webhook' }>;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/**
 * POSTs each alert to a collector (Splunk HEC, Elastic, any HTTP endpoint) from a bounded queue:
 * each is retried with backoff, and when the collector falls behind the oldest queued alerts are
 * dropped and counted rather than holding memory or the calls that raised them.
 */
export class WebhookSink implements AlertSink {
  readonly name: string;
  private readonly queue: DetectionFinding[] = [];
  private draining: Promise<void> | undefined;
  private closing = false;
  private readonly counts: SinkStats = { sent: 0, failed: 0, dropped: 0 };

  constructor(
    private readonly config: WebhookConfig,
    private readonly backoffMs = 250,
  ) {
    // The URL's origin only: a token in its query string stays out of logs.
    this.name = `webhook:${new URL(config.url).origin}`;
  }

  send(event: DetectionFinding): void {
    if (this.closing) {
      this.counts.dropped += 1;
      return;
    }
    this.queue.push(event);
    while (this.queue.length > this.config.queueSize) {
      this.queue.shift();
      this.counts.dropped += 1;
    }
    this.draining ??= this.drain().finally(() => {
      this.draining = undefined;
    });
  }

  async close(deadlineMs = 5_000): Promise<void> {
    this.closing = true;
    if (this.draining) await Promise.race([this.draining, sleep(deadlineMs)]);
    this.counts.dropped += this.queue.length;
    this.queue.length = 0;
  }

  stats(): SinkStats {
    return { ...this.counts };
  }

  private async drain(): Promise<void> {
    for (let event = this.queue.shift(); event !== undefined; event = this.queue.shift()) {
      if (await this.deliver(event)) this.counts.sent += 1;
      else this.counts.failed += 1;
    }
  }

  private async deliver(event: DetectionFinding): Promise<boolean> {
    const body = JSON.stringify(
      this.config.format === 'splunk-hec'
        ? { time: event.time / 1000, sourcetype: 'ocsf:detection_finding', source: 'warden', event }
        : event,
    );
    for (let attempt = 0; attempt <= this.config.retries; attempt++) {
      if (attempt > 0) {
        if (this.closing) return false;
        await sleep(this.backoffMs * 2 ** (attempt - 1));
      }
      try {
        const response = await fetch(this.config.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...this.config.headers },
          body,
          signal: AbortSignal.timeout(this.config.timeoutMs),
        });
        await response.body?.cancel();
        if (response.ok) return true;
        // A client error other than throttling will not change on retry.
        if (response.status < 500 && response.status !== 429) return false;
      } catch {
        // Unreachable or timed out: retried.
      }
    }
    return false;
  }
}

export function createSink(config: SinkConfig): AlertSink {
  switch (config.kind) {
    case 'jsonl':
      return new JsonLinesSink(config.path);
    case 'stdout':
      return new StdoutSink();
    case 'webhook':
      return new WebhookSink(config);
  }
}
