/**
 * How many frames an Error made by workflow code captures. The SDK's promise hook (installed on the
 * workflow thread for its stack-trace query) makes an Error and reads its stack, mapped through the
 * bundle's source map frame by frame, for every promise workflow code creates: with V8's 10 frames
 * that was a sixth of the workflow thread's time for an approval of an evicted run, whose replay
 * re-creates every promise of its history (a CPU profile of the worker under
 * bench/scale-of-waiting.ts). Set once per worker, before the SDK freezes the sandbox's globals, by
 * the shared preload (sandbox-shared.ts). A workflow error then carries its message and type but no
 * frames; failures of activities and of host code keep theirs, and commands never depend on either.
 */
export const WORKFLOW_STACK_TRACE_LIMIT = 0;

Error.stackTraceLimit = WORKFLOW_STACK_TRACE_LIMIT;
