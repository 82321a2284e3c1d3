import { defineTool } from 'warden/workflow';
import { z } from 'zod';

const ticketId = z.string().regex(/^t-\d{1,8}$/, 'a ticket id looks like t-501');

export const getTicket = defineTool({
  name: 'ticket.get',
  description: 'Read a support ticket: subject, body (customer-written, untrusted), status, notes.',
  parameters: z.strictObject({ ticketId }),
  risk: 'low',
  records: ({ ticketId }) => [{ action: 'read', resource: { type: 'Ticket', id: ticketId } }],
  recordsRead: () => 1,
  async execute({ ticketId }, { services }) {
    return services.crm.getTicket(ticketId);
  },
});

export const replyToTicket = defineTool({
  name: 'ticket.reply',
  description: 'Send a reply to the customer on a ticket.',
  parameters: z.strictObject({ ticketId, body: z.string().min(1).max(5_000) }),
  risk: 'medium',
  // Replying speaks for the ticket: it takes the same right as changing it.
  records: ({ ticketId }) => [{ action: 'update', resource: { type: 'Ticket', id: ticketId } }],
  async execute({ ticketId, body }, { services, idempotencyKey }) {
    return services.crm.replyToTicket(ticketId, body, idempotencyKey);
  },
});
