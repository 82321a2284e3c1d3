import path from 'node:path';
import { DemoDatabase } from '../../examples/support-copilot/services/demo-database.ts';
import { demoServices } from '../../examples/support-copilot/services/index.ts';
import type { ProjectDependencies } from '../../src/activities/index.ts';
import { loadProject, type WardenProject } from '../../src/project/load-project.ts';

/** The support-copilot example: the domain most tests of the core exercise. */
export const EXAMPLE_DIR = path.resolve(import.meta.dirname, '../../examples/support-copilot');
export const EXAMPLE_WORKFLOWS = path.join(EXAMPLE_DIR, 'workflows.ts');
export const EXAMPLE_POLICY_DIR = path.join(EXAMPLE_DIR, 'policies');
export const EXAMPLE_SCENARIO_DIR = path.join(EXAMPLE_DIR, 'scenarios');

let project: Promise<WardenProject> | undefined;

/** The example's project, as `warden` loads it from its warden.config.ts. */
export function exampleProject(): Promise<WardenProject> {
  project ??= loadProject({ config: EXAMPLE_DIR });
  return project;
}

/** The example's tools and scenarios with services of their own: each worker fixture starts clean. */
export async function exampleDependencies(): Promise<ProjectDependencies> {
  const { tools, agents, scenarioDir } = await exampleProject();
  return { tools, agents, services: demoServices(new DemoDatabase(':memory:')), scenarioDir };
}

/**
 * The example's CRM, for the adversarial evaluation's support domain (eval/domains/support): like
 * the tests and benchmarks, the evaluation reaches the example through these fixture modules only
 * (its definitions, for workflow code, through example-definitions.ts).
 */
export { CrmService } from '../../examples/support-copilot/services/crm-service.ts';
export { DemoDatabase } from '../../examples/support-copilot/services/demo-database.ts';
export { Egress } from '../../examples/support-copilot/services/egress.ts';
export { seedCustomers, seedTickets } from '../../examples/support-copilot/services/seed.ts';
export type { Customer, Ticket } from '../../examples/support-copilot/services/types.ts';
