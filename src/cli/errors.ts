/**
 * An error meant for the person at the terminal: one actionable line, no stack trace.
 * `exitCode` follows the CLI convention: 1 = refused/denied, 2 = usage or environment error.
 */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

/** The innermost cause of a failure: Temporal wraps the reason a run failed in generic errors. */
export function failureCause(error: unknown): string {
  let current: unknown = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? (current.message.split('\n')[0] ?? current.name) : String(current);
}

export function describeError(error: unknown): string {
  if (error instanceof Error && error.cause instanceof Error) {
    const outer = error.message.split('\n')[0] ?? error.name;
    return `${outer}: ${failureCause(error)}`;
  }
  if (error instanceof Error) return error.message.split('\n')[0] ?? error.name;
  return String(error);
}

export function exitCodeOf(error: unknown): number {
  return error instanceof CliError ? error.exitCode : 2;
}
