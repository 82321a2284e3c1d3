// The benchmark's workflow bundle: the example's workflows, plus the unguarded baseline. The
// baseline never ships in a project's bundle.
export * from '../workflows.ts';
export { bareCallsWorkflow } from './bare-calls.ts';
