import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Failure messages and stack traces can quote arguments and tool output, so they travel as an
 * encoded payload (encrypted by the payload codec) instead of as plain fields of the failure. Loaded
 * by path (`failureConverterPath`) by clients, workers and the workflow bundle alike.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
