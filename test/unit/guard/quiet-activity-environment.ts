import type { Info } from '@temporalio/activity';
import type { Logger, LogLevel, LogMetadata } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';

export interface LoggedEntry {
  level: LogLevel;
  message: string;
  meta?: LogMetadata;
}

/** Keeps what the SDK logs instead of printing it: expected refusals stay out of the test output. */
export class RecordingLogger implements Logger {
  readonly entries: LoggedEntry[] = [];
  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    this.entries.push({ level, message, ...(meta ? { meta } : {}) });
  }
  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}

/** A MockActivityEnvironment whose activity logs (e.g. "Activity failed" with a stack) are recorded. */
export function quietActivityEnvironment(
  logger = new RecordingLogger(),
  info?: Partial<Info>,
): MockActivityEnvironment {
  return new MockActivityEnvironment(info, { logger });
}
