import { seedCustomers, seedTickets } from './seed.ts';
import type { Customer, Refund, Ticket } from './types.ts';

export class CrmError extends Error {
  override name = 'CrmError';
}

/** A write that must crash once after it happened: how tests show that a retry repeats nothing. */
export interface InjectedCrash {
  operation: 'issueRefund' | 'updateTicket' | 'replyToTicket' | 'deleteCustomer';
  times: number;
}

/**
 * The in-process demo CRM. Every write takes the call's idempotency key and is applied at most once
 * per key; a repeat returns the first result. `sideEffects` counts writes that changed state.
 */
export class CrmService {
  private readonly customers = new Map<string, Customer>();
  private readonly tickets = new Map<string, Ticket>();
  readonly refunds: Refund[] = [];
  private readonly applied = new Map<string, unknown>();
  private readonly crashes: InjectedCrash[] = [];
  sideEffects = 0;

  constructor(customers: Customer[] = seedCustomers(), tickets: Ticket[] = seedTickets()) {
    for (const c of customers) this.customers.set(c.id, structuredClone(c));
    for (const t of tickets) this.tickets.set(t.id, structuredClone(t));
  }

  getCustomer(id: string): Customer {
    const customer = this.customers.get(id);
    if (!customer) throw new CrmError(`no customer ${id}`);
    return structuredClone(customer);
  }

  searchCustomers(query: string, limit: number): Customer[] {
    const q = query.toLowerCase();
    return [...this.customers.values()]
      .filter((c) => q === '' || c.name.toLowerCase().includes(q) || c.email.toLowerCase().includes(q))
      .slice(0, limit)
      .map((c) => structuredClone(c));
  }

  allCustomers(): Customer[] {
    return [...this.customers.values()].map((c) => structuredClone(c));
  }

  getTicket(id: string): Ticket {
    const ticket = this.tickets.get(id);
    if (!ticket) throw new CrmError(`no ticket ${id}`);
    return structuredClone(ticket);
  }

  issueRefund(
    request: { customerId: string; amount: number; currency: string; reason: string },
    idempotencyKey: string,
  ): Refund {
    return this.once('issueRefund', idempotencyKey, () => {
      const customer = this.customers.get(request.customerId);
      if (!customer) throw new CrmError(`no customer ${request.customerId}`);
      const refund: Refund = {
        id: `r-${this.refunds.length + 1}`,
        ...request,
        idempotencyKey,
        issuedAt: new Date().toISOString(),
      };
      this.refunds.push(refund);
      customer.balance += request.amount;
      return structuredClone(refund);
    });
  }

  updateTicket(
    id: string,
    change: { status?: Ticket['status']; note?: string },
    idempotencyKey: string,
  ): Ticket {
    return this.once('updateTicket', idempotencyKey, () => {
      const ticket = this.tickets.get(id);
      if (!ticket) throw new CrmError(`no ticket ${id}`);
      if (change.status) ticket.status = change.status;
      if (change.note) ticket.notes.push(change.note);
      return structuredClone(ticket);
    });
  }

  replyToTicket(id: string, body: string, idempotencyKey: string): Ticket {
    return this.once('replyToTicket', idempotencyKey, () => {
      const ticket = this.tickets.get(id);
      if (!ticket) throw new CrmError(`no ticket ${id}`);
      ticket.replies.push(body);
      return structuredClone(ticket);
    });
  }

  deleteCustomer(id: string, idempotencyKey: string): { deleted: string } {
    return this.once('deleteCustomer', idempotencyKey, () => {
      if (!this.customers.delete(id)) throw new CrmError(`no customer ${id}`);
      return { deleted: id };
    });
  }

  /** Makes the next `times` writes of `operation` throw after they were applied. */
  injectCrashAfterWrite(operation: InjectedCrash['operation'], times = 1): void {
    this.crashes.push({ operation, times });
  }

  private once<T>(operation: InjectedCrash['operation'], idempotencyKey: string, write: () => T): T {
    const key = `${operation}:${idempotencyKey}`;
    if (this.applied.has(key)) return structuredClone(this.applied.get(key)) as T;
    const result = write();
    this.applied.set(key, structuredClone(result));
    this.sideEffects += 1;
    const crash = this.crashes.find((c) => c.operation === operation && c.times > 0);
    if (crash) {
      crash.times -= 1;
      throw new CrmError(`injected crash after ${operation} was applied`);
    }
    return result;
  }
}
