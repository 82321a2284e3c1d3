import type { ToolDefinition } from 'warden/workflow';

/**
 * The tool as today's guard (without provenance) decides it: its trust labels, sensitive arguments
 * and sink declaration removed, everything else its own. The "guard" configuration runs these, the
 * "provenance" configuration the tools as declared, so the two differ in provenance alone.
 */
export function withoutProvenance<T extends ToolDefinition>(tool: T): T {
  const { provenance: _provenance, ...rest } = tool;
  return rest as T;
}
