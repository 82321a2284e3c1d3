import { type DemoDatabase, EFFECT_TABLES } from './demo-database.ts';
import type { Customer, Refund, Ticket } from './types.ts';

export class CrmError extends Error {
  override name = 'CrmError';
}

/** A write that must crash once after it happened: how tests show that a retry repeats nothing. */
export interface InjectedCrash {
  operation: 'issueRefund' | 'updateTicket' | 'replyToTicket' | 'deleteCustomer';
  times: number;
}

interface CustomerRow {
  id: string;
  name: string;
  email: string;
  org: string;
  tier: Customer['tier'];
  balance: number;
}

interface TicketRow {
  id: string;
  customer_id: string;
  assignee: string;
  subject: string;
  body: string;
  status: Ticket['status'];
}

interface RefundRow {
  seq: number;
  idempotency_key: string;
  customer_id: string;
  amount: number;
  currency: string;
  reason: string;
  issued_at: string;
  on_behalf_of: string | null;
}

const customerOf = (row: CustomerRow): Customer => ({ ...row });

const refundOf = (row: RefundRow): Refund => ({
  id: `r-${row.seq}`,
  customerId: row.customer_id,
  amount: row.amount,
  currency: row.currency,
  reason: row.reason,
  ...(row.on_behalf_of !== null ? { onBehalfOf: row.on_behalf_of } : {}),
  idempotencyKey: row.idempotency_key,
  issuedAt: row.issued_at,
});

/**
 * The demo CRM on its SQLite store. Every write takes the call's idempotency key, which is the
 * UNIQUE key of the write's effect table: a write runs once per key, in one transaction with its
 * effect row, and a repeat (a retried activity, in this process or another) returns the first result.
 */
export class CrmService {
  private readonly crashes: InjectedCrash[] = [];

  constructor(readonly db: DemoDatabase) {}

  /** Writes that changed state, counted from the effect tables: one per idempotency key. */
  get sideEffects(): number {
    let total = 0;
    for (const table of EFFECT_TABLES) {
      total += this.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`)?.n ?? 0;
    }
    return total;
  }

  /** Every refund issued, oldest first. */
  get refunds(): Refund[] {
    return this.db.all<RefundRow>('SELECT * FROM refunds ORDER BY seq').map(refundOf);
  }

  getCustomer(id: string): Customer {
    const row = this.db.get<CustomerRow>('SELECT * FROM customers WHERE id = ?', id);
    if (!row) throw new CrmError(`no customer ${id}`);
    return customerOf(row);
  }

  searchCustomers(query: string, limit: number): Customer[] {
    const q = query.toLowerCase();
    return this.allCustomers()
      .filter((c) => q === '' || c.name.toLowerCase().includes(q) || c.email.toLowerCase().includes(q))
      .slice(0, limit);
  }

  allCustomers(): Customer[] {
    return this.db.all<CustomerRow>('SELECT * FROM customers ORDER BY rowid').map(customerOf);
  }

  getTicket(id: string): Ticket {
    const row = this.db.get<TicketRow>('SELECT * FROM tickets WHERE id = ?', id);
    if (!row) throw new CrmError(`no ticket ${id}`);
    const notes = this.db
      .all<{ note: string }>(
        'SELECT note FROM ticket_updates WHERE ticket_id = ? AND note IS NOT NULL ORDER BY seq',
        id,
      )
      .map((r) => r.note);
    const replies = this.db
      .all<{ body: string }>('SELECT body FROM ticket_replies WHERE ticket_id = ? ORDER BY seq', id)
      .map((r) => r.body);
    return {
      id: row.id,
      customerId: row.customer_id,
      assignee: row.assignee,
      subject: row.subject,
      body: row.body,
      status: row.status,
      notes,
      replies,
    };
  }

  issueRefund(
    request: { customerId: string; onBehalfOf?: string; amount: number; currency: string; reason: string },
    idempotencyKey: string,
  ): Refund {
    return this.once('issueRefund', () => {
      const first = this.db.get<RefundRow>('SELECT * FROM refunds WHERE idempotency_key = ?', idempotencyKey);
      if (first) return { result: refundOf(first), applied: false };
      const credited = this.db.run(
        'UPDATE customers SET balance = balance + ? WHERE id = ?',
        request.amount,
        request.customerId,
      );
      if (credited.changes === 0) throw new CrmError(`no customer ${request.customerId}`);
      const { lastInsertRowid } = this.db.run(
        'INSERT INTO refunds (idempotency_key, customer_id, amount, currency, reason, issued_at, on_behalf_of) VALUES (?, ?, ?, ?, ?, ?, ?)',
        idempotencyKey,
        request.customerId,
        request.amount,
        request.currency,
        request.reason,
        new Date().toISOString(),
        request.onBehalfOf ?? null,
      );
      const row = this.db.get<RefundRow>('SELECT * FROM refunds WHERE seq = ?', lastInsertRowid);
      return { result: refundOf(row as RefundRow), applied: true };
    });
  }

  updateTicket(
    id: string,
    change: { status?: Ticket['status']; note?: string },
    idempotencyKey: string,
  ): Ticket {
    return this.once('updateTicket', () => {
      const first = this.firstResult<Ticket>('ticket_updates', idempotencyKey);
      if (first) return { result: first, applied: false };
      this.getTicket(id);
      if (change.status) this.db.run('UPDATE tickets SET status = ? WHERE id = ?', change.status, id);
      // The note is part of the effect row, so the ticket read back below already shows it.
      this.db.run(
        "INSERT INTO ticket_updates (idempotency_key, ticket_id, status, note, result) VALUES (?, ?, ?, ?, '')",
        idempotencyKey,
        id,
        change.status ?? null,
        change.note || null,
      );
      return { result: this.keepResult('ticket_updates', idempotencyKey, this.getTicket(id)), applied: true };
    });
  }

  replyToTicket(id: string, body: string, idempotencyKey: string): Ticket {
    return this.once('replyToTicket', () => {
      const first = this.firstResult<Ticket>('ticket_replies', idempotencyKey);
      if (first) return { result: first, applied: false };
      this.getTicket(id);
      this.db.run(
        "INSERT INTO ticket_replies (idempotency_key, ticket_id, body, result) VALUES (?, ?, ?, '')",
        idempotencyKey,
        id,
        body,
      );
      return { result: this.keepResult('ticket_replies', idempotencyKey, this.getTicket(id)), applied: true };
    });
  }

  deleteCustomer(id: string, idempotencyKey: string): { deleted: string } {
    return this.once('deleteCustomer', () => {
      const first = this.firstResult<{ deleted: string }>('customer_deletions', idempotencyKey);
      if (first) return { result: first, applied: false };
      if (this.db.run('DELETE FROM customers WHERE id = ?', id).changes === 0) {
        throw new CrmError(`no customer ${id}`);
      }
      const result = { deleted: id };
      this.db.run(
        'INSERT INTO customer_deletions (idempotency_key, customer_id, result) VALUES (?, ?, ?)',
        idempotencyKey,
        id,
        JSON.stringify(result),
      );
      return { result, applied: true };
    });
  }

  /** Makes the next `times` writes of `operation` throw after they were applied (committed). */
  injectCrashAfterWrite(operation: InjectedCrash['operation'], times = 1): void {
    this.crashes.push({ operation, times });
  }

  private firstResult<T>(table: (typeof EFFECT_TABLES)[number], idempotencyKey: string): T | undefined {
    const row = this.db.get<{ result: string }>(
      `SELECT result FROM ${table} WHERE idempotency_key = ?`,
      idempotencyKey,
    );
    return row ? (JSON.parse(row.result) as T) : undefined;
  }

  private keepResult<T>(table: (typeof EFFECT_TABLES)[number], idempotencyKey: string, result: T): T {
    this.db.run(
      `UPDATE ${table} SET result = ? WHERE idempotency_key = ?`,
      JSON.stringify(result),
      idempotencyKey,
    );
    return result;
  }

  private once<T>(operation: InjectedCrash['operation'], write: () => { result: T; applied: boolean }): T {
    const { result, applied } = this.db.transaction(write);
    const crash = applied && this.crashes.find((c) => c.operation === operation && c.times > 0);
    if (crash) {
      crash.times -= 1;
      throw new CrmError(`injected crash after ${operation} was applied`);
    }
    return result;
  }
}
