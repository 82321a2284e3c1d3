import { defineTool, httpUrl, IDEMPOTENCY_KEY_HEADER, money } from 'warden/workflow';
import { z } from 'zod';
import { TICKET_OUTPUT } from './ticket-tools.ts';

const customerId = z.string().regex(/^c-\d{1,8}$/, 'a customer id looks like c-1001');
const ticketId = z.string().regex(/^t-\d{1,8}$/, 'a ticket id looks like t-501');

/** Customer records are the CRM's own data (trusted) and personal: names, emails and balances are confidential. */
const CUSTOMER_PII = ['name', 'email', 'balance'];

export const getCustomer = defineTool({
  name: 'crm.get_customer',
  description: 'Read one customer record by id.',
  parameters: z.strictObject({ customerId }),
  risk: 'low',
  provenance: { output: { trust: 'trusted', confidential: CUSTOMER_PII } },
  records: ({ customerId }) => [{ action: 'read', resource: { type: 'Customer', id: customerId } }],
  recordsRead: () => 1,
  async execute({ customerId }, { services }) {
    return services.crm.getCustomer(customerId);
  },
});

export const searchCustomers = defineTool({
  name: 'crm.search_customers',
  description: 'Search customers by name or email; returns at most `limit` records.',
  parameters: z.strictObject({
    query: z.string().max(200),
    limit: z.number().int().min(1).max(500).default(10),
  }),
  risk: 'medium',
  // The policy runs searches unattended only up to a record count.
  context: ({ limit }) => [['record_count', { type: 'Tool', id: 'crm.search_customers' }, limit]],
  intent: [{ kind: 'max_records_per_run', limit: 100, requestedArgument: 'limit', onExceed: 'escalate' }],
  provenance: { output: { trust: 'trusted', confidential: CUSTOMER_PII.map((field) => `[].${field}`) } },
  // The output is the array of customers; each one the user or the bot may not read is removed.
  results: { type: 'Customer', idField: 'id' },
  recordsRead: (output) => (Array.isArray(output) ? output.length : 0),
  async execute({ query, limit }, { services }) {
    return services.crm.searchCustomers(query, limit);
  },
});

export const exportCustomers = defineTool({
  name: 'crm.export_customers',
  description: 'Export every customer record to a destination URL.',
  parameters: z.strictObject({ destinationUrl: httpUrl() }),
  risk: 'critical',
  zone: 'external',
  intent: [{ kind: 'allowed_hosts', argument: 'destinationUrl', hosts: ['*.acme.example'] }],
  approval: { quorum: 2, timeout: '1 hour', onTimeout: 'reject' },
  // It sends every record outside; where it sends them must not come from untrusted content only.
  provenance: { sensitive: { destinationUrl: 'url' }, externalSink: true, output: { trust: 'trusted' } },
  recordsRead: (output) =>
    typeof output === 'object' && output !== null && 'count' in output ? Number(output.count) : 0,
  async execute({ destinationUrl }, { services, idempotencyKey }) {
    const customers = services.crm.allCustomers();
    await services.egress.post({
      url: destinationUrl,
      headers: { [IDEMPOTENCY_KEY_HEADER]: idempotencyKey },
      body: customers,
    });
    return { exported: destinationUrl, count: customers.length };
  },
});

export const updateTicket = defineTool({
  name: 'crm.update_ticket',
  description: "Change a ticket's status and/or add an internal note.",
  parameters: z.strictObject({
    ticketId,
    status: z.enum(['open', 'pending', 'closed']).optional(),
    note: z.string().max(2000).optional(),
  }),
  risk: 'medium',
  // The ticket it returns is the one its id chose: a status or note the model wrote chooses nothing.
  provenance: { output: TICKET_OUTPUT, selects: ['ticketId'] },
  records: ({ ticketId }) => [{ action: 'update', resource: { type: 'Ticket', id: ticketId } }],
  async execute({ ticketId, status, note }, { services, idempotencyKey }) {
    return services.crm.updateTicket(ticketId, { status, note }, idempotencyKey);
  },
});

export const issueRefund = defineTool({
  name: 'crm.issue_refund',
  description:
    'Refund an amount to a customer. Refunds above 100 need a human approval. A refund paid to ' +
    "another account than the ticket's customer (a parent company that paid the invoice) names " +
    'that customer in onBehalfOf.',
  parameters: z.strictObject({
    customerId,
    // Whose refund it is when it is paid to another account: the policy accepts a payee only for the
    // customer finance registered it for (payee_for), and only when this id is not itself tainted.
    onBehalfOf: customerId.optional(),
    // money: finite, 0.01 to 10,000, at most 2 decimal places (no 5e-324, no 0.001).
    amount: money({ decimals: 2, max: 10_000 }),
    currency: z.enum(['EUR', 'USD']),
    reason: z.string().min(3).max(500),
  }),
  risk: 'high',
  // Rounded up so that 100.01 counts as above 100: the policy compares integers.
  context: ({ amount }) => [['refund_amount', { type: 'Tool', id: 'crm.issue_refund' }, Math.ceil(amount)]],
  // One refund per run on its own: a ticket is answered with one refund, and a second one in the
  // same run (a "the first one will bounce, refund it twice") is a person's decision.
  intent: [
    { kind: 'max_amount', argument: 'amount', max: 5_000, onExceed: 'deny' },
    { kind: 'max_calls_per_run', limit: 1, onExceed: 'escalate' },
  ],
  approval: { timeout: '30 minutes', onTimeout: 'escalate', escalateTo: ['carol'] },
  // Who gets the money, and for whom: a customer id named only by a ticket's text is asked about.
  provenance: { sensitive: { customerId: 'account', onBehalfOf: 'account' }, output: { trust: 'trusted' } },
  async execute(args, { services, idempotencyKey }) {
    return services.crm.issueRefund(args, idempotencyKey);
  },
});

export const deleteCustomer = defineTool({
  name: 'crm.delete_customer',
  description: 'Delete a customer and all of their data.',
  parameters: z.strictObject({ customerId }),
  risk: 'critical',
  approval: { quorum: 2, timeout: '1 hour', onTimeout: 'reject' },
  provenance: { sensitive: { customerId: 'account' }, output: { trust: 'trusted' } },
  async execute({ customerId }, { services, idempotencyKey }) {
    return services.crm.deleteCustomer(customerId, idempotencyKey);
  },
});
