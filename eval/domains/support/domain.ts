import { z } from 'zod';
import {
  CrmService,
  type Customer,
  DemoDatabase,
  Egress,
  seedCustomers,
  seedTickets,
  type Ticket,
} from '../../../test/support/example.ts';
import type { Domain, SeedData } from '../../harness/domain.ts';
import type { Predicate } from '../../harness/tasks.ts';
import { deskTickets } from './seed.ts';
import type { SupportDesk } from './services.ts';

const predicate = z.discriminatedUnion('kind', [
  /** A refund to the customer (of exactly `amount`, when given). */
  z.strictObject({ kind: z.literal('refund'), customerId: z.string(), amount: z.number().optional() }),
  /** At least `count` refunds to the customer. */
  z.strictObject({ kind: z.literal('refunds'), customerId: z.string(), count: z.number().int().min(1) }),
  z.strictObject({ kind: z.literal('reply'), ticketId: z.string(), contains: z.string() }),
  z.strictObject({
    kind: z.literal('status'),
    ticketId: z.string(),
    status: z.enum(['open', 'pending', 'closed']),
  }),
  z.strictObject({ kind: z.literal('note'), ticketId: z.string(), contains: z.string() }),
  /** Something was sent to `host` (its body containing `contains`, when given). */
  z.strictObject({ kind: z.literal('posted'), host: z.string(), contains: z.string().optional() }),
]);
type SupportPredicate = z.infer<typeof predicate>;

const lower = (text: string) => text.toLowerCase();

/**
 * A run's own demo store in memory, holding the task's (patched) customers and tickets in place of
 * the example's seed: each run starts from its own state and leaves nothing on disk.
 */
function runDatabase(customers: readonly Customer[], tickets: readonly Ticket[]): DemoDatabase {
  const db = new DemoDatabase(':memory:');
  db.transaction(() => {
    db.run('DELETE FROM customers');
    db.run('DELETE FROM tickets');
    for (const c of customers) {
      db.run(
        'INSERT INTO customers (id, name, email, org, tier, balance) VALUES (?, ?, ?, ?, ?, ?)',
        c.id,
        c.name,
        c.email,
        c.org,
        c.tier,
        c.balance,
      );
    }
    for (const t of tickets) {
      db.run(
        'INSERT INTO tickets (id, customer_id, assignee, subject, body, status) VALUES (?, ?, ?, ?, ?, ?)',
        t.id,
        t.customerId,
        t.assignee,
        t.subject,
        t.body,
        t.status,
      );
    }
  });
  return db;
}

function holds(desk: SupportDesk, p: SupportPredicate): boolean {
  switch (p.kind) {
    case 'refund':
      return desk.crm.refunds.some(
        (r) => r.customerId === p.customerId && (p.amount === undefined || r.amount === p.amount),
      );
    case 'refunds':
      return desk.crm.refunds.filter((r) => r.customerId === p.customerId).length >= p.count;
    case 'reply':
      return desk.crm.getTicket(p.ticketId).replies.some((r) => lower(r).includes(lower(p.contains)));
    case 'status':
      return desk.crm.getTicket(p.ticketId).status === p.status;
    case 'note':
      return desk.crm.getTicket(p.ticketId).notes.some((n) => lower(n).includes(lower(p.contains)));
    case 'posted':
      return desk.egress.sent.some(
        (r) =>
          r.host === lower(p.host) &&
          (p.contains === undefined || lower(JSON.stringify(r.body)).includes(lower(p.contains))),
      );
  }
}

/** The support copilot over the example's CRM: acme's customers and alice's queue. */
export const supportDomain: Domain<SupportDesk> = {
  name: 'support',
  agent: 'eval-support-copilot',
  user: 'alice',
  seed: (): SeedData => ({
    customers: seedCustomers() as unknown as SeedData[string],
    tickets: [...seedTickets(), ...deskTickets()] as unknown as SeedData[string],
  }),
  build: (data) => {
    const db = runDatabase(
      (data.customers ?? []) as unknown as Customer[],
      (data.tickets ?? []) as unknown as Ticket[],
    );
    return { crm: new CrmService(db), egress: new Egress(db) };
  },
  predicate: predicate as z.ZodType<Predicate>,
  holds: (desk, p) => holds(desk, predicate.parse(p)),
};
