import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
}

/** Longer than any page token visibility issues for a listing; longer input is not even decoded. */
const MAX_CURSOR_LENGTH = 2048;
const CURSOR = /^[A-Za-z0-9_-]{1,1900}\.[A-Za-z0-9_-]{43}$/;

/**
 * "Next page" links of the pending-approvals listing. A cursor carries visibility's page token,
 * MACed by this process with a key of its own and bound to the listing's query, so a cursor is
 * taken only as this service issued it: a crafted or edited one is refused here, before any of it
 * reaches the Temporal server (which would otherwise be handed an attacker's bytes to parse), and a
 * cursor of one listing cannot be replayed against another. Cursors end with the process: a link
 * from before a restart asks the reader to start again from the first page.
 */
export class ListingCursors {
  constructor(private readonly key: Uint8Array = randomBytes(32)) {}

  issue(token: Uint8Array, query: string): string {
    const body = Buffer.from(token).toString('base64url');
    return `${body}.${this.mac(body, query).toString('base64url')}`;
  }

  /** The page token of a cursor this service issued for `query`; throws InvalidCursorError otherwise. */
  read(cursor: string, query: string): Uint8Array {
    if (cursor.length > MAX_CURSOR_LENGTH || !CURSOR.test(cursor)) {
      throw new InvalidCursorError('the page cursor is malformed: start again from the first page');
    }
    const [body = '', mac = ''] = cursor.split('.');
    const given = Buffer.from(mac, 'base64url');
    const expected = this.mac(body, query);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new InvalidCursorError(
        'the page cursor was not issued by this approvals service (or it restarted since): start again from the first page',
      );
    }
    return new Uint8Array(Buffer.from(body, 'base64url'));
  }

  private mac(body: string, query: string): Buffer {
    return createHmac('sha256', this.key)
      .update(`warden-listing-cursor-v1\u0000${query}\u0000${body}`)
      .digest();
  }
}
