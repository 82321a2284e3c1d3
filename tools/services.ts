import type { CrmService } from '../services/crm/crm-service.ts';
import type { Egress } from '../services/crm/egress.ts';

/**
 * The services (and so the credentials) tool code uses. They exist only in the worker process that
 * runs a tool's zone; tool modules import these types alone, so workflow code can import the tools.
 */
export interface ToolServices {
  crm: CrmService;
  egress: Egress;
}
