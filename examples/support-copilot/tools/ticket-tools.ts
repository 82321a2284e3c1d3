import { defineTool, type ToolProvenance } from 'warden/workflow';
import { z } from 'zod';

const ticketId = z.string().regex(/^t-\d{1,8}$/, 'a ticket id looks like t-501');

/**
 * Who writes a ticket: the CRM sets its id, customer, assignee and status; the customer writes its
 * subject and body; notes and replies are written by agents, whose text may carry what an injected
 * ticket told them, so they count as untrusted too.
 */
export const TICKET_OUTPUT: NonNullable<ToolProvenance['output']> = {
  trust: 'trusted',
  fields: { subject: 'untrusted', body: 'untrusted', notes: 'untrusted', replies: 'untrusted' },
};

export const getTicket = defineTool({
  name: 'ticket.get',
  description: 'Read a support ticket: subject, body (customer-written, untrusted), status, notes.',
  parameters: z.strictObject({ ticketId }),
  risk: 'low',
  provenance: { output: TICKET_OUTPUT },
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
  // A reply reaches the customer, outside the deployment: a link or account number in it must not
  // come from untrusted text only, and customer PII in it (another customer's) asks a person.
  // The ticket it returns is the one its id chose; the reply's words choose nothing.
  provenance: {
    output: TICKET_OUTPUT,
    sensitive: { body: 'text' },
    externalSink: true,
    selects: ['ticketId'],
  },
  // Replying speaks for the ticket: it takes the same right as changing it.
  records: ({ ticketId }) => [{ action: 'update', resource: { type: 'Ticket', id: ticketId } }],
  async execute({ ticketId, body }, { services, idempotencyKey }) {
    return services.crm.replyToTicket(ticketId, body, idempotencyKey);
  },
});
