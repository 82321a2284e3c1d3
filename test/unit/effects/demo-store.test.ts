import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DemoDatabase, EFFECT_TABLES } from '../../../examples/support-copilot/services/demo-database.ts';
import { demoServices } from '../../../examples/support-copilot/services/index.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'warden-demo-store-'));
let files = 0;
const freshFile = () => path.join(dir, `demo-${++files}.sqlite`);
const opened: DemoDatabase[] = [];
/** A connection of its own, as a worker process (a first attempt, or the retry on a new worker) has. */
function connect(file: string) {
  const db = new DemoDatabase(file);
  opened.push(db);
  return demoServices(db);
}

afterAll(() => {
  for (const db of opened) db.close();
  rmSync(dir, { recursive: true, force: true });
});

const refund = { customerId: 'c-1001', amount: 40, currency: 'EUR', reason: 'late delivery' };

describe("the demo's SQLite services dedupe a replayed idempotency key", () => {
  it('a refund replayed with its key, from another connection, is recorded and credited once', () => {
    const file = freshFile();
    const first = connect(file);
    const retry = connect(file);
    const balance = first.crm.getCustomer('c-1001').balance;
    const issued = first.crm.issueRefund(refund, 'wf-1:refund');
    // The retry sends different arguments under the same key: the first result stands.
    const replayed = retry.crm.issueRefund({ ...refund, amount: 4_000 }, 'wf-1:refund');
    expect(replayed).toEqual(issued);
    expect(retry.crm.refunds.filter((r) => r.idempotencyKey === 'wf-1:refund')).toHaveLength(1);
    expect(retry.crm.getCustomer('c-1001').balance).toBe(balance + 40);
    const other = retry.crm.issueRefund(refund, 'wf-1:second');
    expect(other.id).not.toBe(issued.id);
    expect(first.crm.getCustomer('c-1001').balance).toBe(balance + 80);
  });

  it('a refund paid to another account keeps whose refund it is (onBehalfOf), also in a file of an earlier version', () => {
    const { crm } = connect(freshFile());
    const paid = crm.issueRefund({ ...refund, customerId: 'c-1008', onBehalfOf: 'c-1011' }, 'wf-7:refund');
    expect(paid).toMatchObject({ customerId: 'c-1008', onBehalfOf: 'c-1011' });
    expect(crm.refunds.find((r) => r.idempotencyKey === 'wf-7:refund')?.onBehalfOf).toBe('c-1011');
    expect(crm.issueRefund(refund, 'wf-7:own')).not.toHaveProperty('onBehalfOf');

    // A demo file whose refunds table predates the column: opened again, it gets the column.
    const file = freshFile();
    const old = connect(file);
    old.crm.issueRefund(refund, 'wf-7:before');
    // The refunds table as the demo wrote it before: no on_behalf_of column.
    old.crm.db.run('ALTER TABLE refunds RENAME TO refunds_new');
    old.crm.db.run(
      'CREATE TABLE refunds (seq INTEGER PRIMARY KEY AUTOINCREMENT, idempotency_key TEXT NOT NULL UNIQUE, customer_id TEXT NOT NULL, amount REAL NOT NULL, currency TEXT NOT NULL, reason TEXT NOT NULL, issued_at TEXT NOT NULL)',
    );
    old.crm.db.run(
      'INSERT INTO refunds SELECT seq, idempotency_key, customer_id, amount, currency, reason, issued_at FROM refunds_new',
    );
    old.crm.db.run('DROP TABLE refunds_new');
    const reopened = connect(file);
    expect(reopened.crm.refunds.map((r) => [r.idempotencyKey, r.onBehalfOf])).toEqual([
      ['wf-7:before', undefined],
    ]);
    expect(reopened.crm.issueRefund({ ...refund, onBehalfOf: 'c-1002' }, 'wf-7:after').onBehalfOf).toBe(
      'c-1002',
    );
  });

  it('ticket updates, replies and deletions apply once per key and return the first result', () => {
    const { crm } = connect(freshFile());
    const effects = crm.sideEffects;
    const updated = crm.updateTicket('t-501', { status: 'pending', note: 'checking' }, 'wf-2:note');
    crm.updateTicket('t-501', { status: 'closed', note: 'checking' }, 'wf-2:note');
    expect(crm.updateTicket('t-501', { note: 'again' }, 'wf-2:note')).toEqual(updated);
    const replied = crm.replyToTicket('t-501', 'Refunded.', 'wf-2:reply');
    expect(crm.replyToTicket('t-501', 'Refunded.', 'wf-2:reply')).toEqual(replied);
    expect(crm.deleteCustomer('c-1012', 'wf-2:delete')).toEqual({ deleted: 'c-1012' });
    // The customer is gone, yet the retry answers as the first delete did instead of failing.
    expect(crm.deleteCustomer('c-1012', 'wf-2:delete')).toEqual({ deleted: 'c-1012' });
    const ticket = crm.getTicket('t-501');
    expect(ticket).toMatchObject({ status: 'pending', notes: ['checking'], replies: ['Refunded.'] });
    expect(crm.sideEffects - effects).toBe(3);
  });

  it('a failed write leaves nothing behind, so its retry can still apply', () => {
    const { crm } = connect(freshFile());
    expect(() => crm.issueRefund({ ...refund, customerId: 'c-9999' }, 'wf-3:refund')).toThrow(/no customer/);
    expect(crm.refunds).toHaveLength(0);
    expect(() => crm.updateTicket('t-999', { note: 'x' }, 'wf-3:note')).toThrow(/no ticket/);
    expect(crm.sideEffects).toBe(0);
  });

  it('egress records a request with an Idempotency-Key once (any header case), one without it every time', async () => {
    const file = freshFile();
    const first = connect(file);
    const retry = connect(file);
    const url = 'https://api.acme.example/hooks';
    const sent = await first.egress.post({
      url,
      headers: { 'Idempotency-Key': 'wf-4:post' },
      body: { n: 1 },
    });
    const again = await retry.egress.post({
      url,
      headers: { 'idempotency-key': 'wf-4:post' },
      body: { n: 2 },
    });
    expect(again).toEqual(sent);
    await retry.egress.post({ url, headers: {}, body: { n: 3 } });
    await retry.egress.post({ url, headers: {}, body: { n: 3 } });
    expect(retry.egress.sent.map((r) => [r.idempotencyKey, r.body])).toEqual([
      ['wf-4:post', { n: 1 }],
      [undefined, { n: 3 }],
      [undefined, { n: 3 }],
    ]);
  });

  it('the idempotency key is a UNIQUE key of every effect table: a second row is refused by SQLite itself', () => {
    const { crm } = connect(freshFile());
    crm.issueRefund(refund, 'wf-5:refund');
    expect(() =>
      crm.db.run(
        "INSERT INTO refunds (idempotency_key, customer_id, amount, currency, reason, issued_at) VALUES ('wf-5:refund', 'c-1001', 1, 'EUR', 'dup', 'now')",
      ),
    ).toThrow(/UNIQUE constraint failed: refunds.idempotency_key/);
    for (const table of [...EFFECT_TABLES, 'outbound_requests']) {
      const unique = crm.db
        .all<{ name: string; unique: number }>(`PRAGMA index_list(${table})`)
        .filter((index) => index.unique === 1)
        .flatMap((index) => crm.db.all<{ name: string }>(`PRAGMA index_info(${index.name})`))
        .map((column) => column.name);
      expect(unique, table).toContain('idempotency_key');
    }
  });

  it('the state survives closing and reopening the file (a worker restart); the seed is written once', () => {
    const file = freshFile();
    const db = new DemoDatabase(file);
    const before = demoServices(db);
    before.crm.issueRefund(refund, 'wf-6:refund');
    before.crm.deleteCustomer('c-1011', 'wf-6:delete');
    before.crm.updateTicket('t-502', { status: 'closed', note: 'spam' }, 'wf-6:close');
    db.close();
    const after = connect(file);
    expect(after.crm.refunds.map((r) => r.idempotencyKey)).toEqual(['wf-6:refund']);
    expect(after.crm.getCustomer('c-1001').balance).toBe(460);
    expect(after.crm.allCustomers().some((c) => c.id === 'c-1011')).toBe(false);
    expect(after.crm.getTicket('t-502')).toMatchObject({ status: 'closed', notes: ['spam'] });
  });
});
