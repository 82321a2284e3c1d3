import type { CrmService } from '../examples/support-copilot/services/crm-service.ts';

export interface BenchBaselineActivities {
  readTicketUnguarded(ticketId: string): Promise<unknown>;
}

/** The tool's work with no guard around it: registered only on the benchmark's worker. */
export function createBaselineActivities(crm: CrmService): BenchBaselineActivities {
  return {
    async readTicketUnguarded(ticketId) {
      return crm.getTicket(ticketId);
    },
  };
}
