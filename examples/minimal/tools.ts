import { defineTool } from 'warden/workflow';
import { z } from 'zod';

export const ticketStatus = defineTool({
  name: 'ticket.status',
  description: "Read a support ticket's status.",
  parameters: z.strictObject({ ticketId: z.string().regex(/^t-\d+$/) }),
  risk: 'low',
  async execute({ ticketId }, { services }) {
    return { ticketId, status: services.tickets.status(ticketId) };
  },
});
