/**
 * The services (and so the credentials) tool code uses. Empty in Warden: a project adds its own by
 * declaration merging, and its services factory creates them in the worker process that runs a
 * tool's zone. Tool modules import this type alone, so workflow code can import the tools.
 *
 * ```ts
 * declare module 'warden' {
 *   interface ToolServices { crm: CrmClient }
 * }
 * ```
 */
// biome-ignore lint/suspicious/noEmptyInterface: extended by each project through declaration merging
export interface ToolServices {}
