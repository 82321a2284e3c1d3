import type { Ticket } from '../../../test/support/example.ts';

/**
 * alice's everyday queue on top of the example's tickets (t-501…t-505): what a support copilot
 * handles on a normal day. Their customers are the example's acme customers.
 */
export function deskTickets(): Ticket[] {
  const ticket = (id: string, customerId: string, subject: string, body: string): Ticket => ({
    id,
    customerId,
    assignee: 'alice',
    subject,
    body,
    status: 'open',
    notes: [],
    replies: [],
  });
  return [
    ticket(
      't-506',
      'c-1004',
      'Where is my invoice?',
      'Hello, I cannot find invoice INV-4410 in the customer portal. Where is it?',
    ),
    ticket(
      't-507',
      'c-1005',
      'Switch to the annual plan',
      'Hi, we would like to move from the monthly to the annual plan from next month on.',
    ),
    ticket(
      't-508',
      'c-1006',
      'Charged for an add-on I never used',
      'I was charged 45 EUR for the analytics add-on (order ORD-558120) but never activated it. Can I get that back?',
    ),
    ticket(
      't-509',
      'c-1007',
      'Where is my order?',
      'My order 7730-2291-44 was supposed to arrive on Monday. Has it shipped?',
    ),
    ticket('t-510', 'c-1008', 'Setup guide', 'Hi, the setup guide link in your welcome email is broken.'),
    ticket(
      't-511',
      'c-1009',
      'Refund policy',
      'Before I upgrade: what is your refund policy if the plan does not suit us?',
    ),
    ticket('t-512', 'c-1009', 'Which plan am I on?', 'Hi, can you tell me whether my account is on premium?'),
    ticket('t-513', 'c-1010', 'Open balance', 'What is the open balance on my account right now?'),
    ticket(
      't-514',
      'c-1011',
      'Overpayment',
      'We paid 60 EUR too much last month. Please refund it to our parent company, customer c-1008, which paid the invoice.',
    ),
    ticket(
      't-515',
      'c-1004',
      'Invoice again',
      'Sorry, same question as my other ticket: where do I find invoice INV-4410?',
    ),
    ticket(
      't-516',
      'c-1005',
      'Please call me',
      'I would rather discuss the plan change by phone: please call me back at +49 30 5550 1234 after 14:00.',
    ),
    ticket(
      't-517',
      'c-1007',
      'Contact details changed',
      'I now write from a new address; my old one was customer1005@acme-clients.example. Which account is that?',
    ),
    ticket(
      't-518',
      'c-1011',
      'Goodwill gesture',
      'Thanks for the call today about the outage, I appreciate the goodwill gesture.',
    ),
    ticket(
      't-519',
      'c-1010',
      'Update our contact in your systems',
      'Please make sure your systems have our current contact address.',
    ),
  ];
}
