// The benchmark's workflow bundle: everything Warden serves, plus the unguarded baseline. The
// baseline never ships in the production bundle.
export * from '../../workflows/index.ts';
export { bareCallsWorkflow } from './bare-calls.ts';
