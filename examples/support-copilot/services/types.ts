export interface Customer {
  id: string;
  name: string;
  email: string;
  org: string;
  tier: 'standard' | 'premium';
  balance: number;
}

export interface Ticket {
  id: string;
  customerId: string;
  assignee: string;
  subject: string;
  body: string;
  status: 'open' | 'pending' | 'closed';
  notes: string[];
  replies: string[];
}

export interface Refund {
  id: string;
  customerId: string;
  amount: number;
  currency: string;
  reason: string;
  /** The customer whose refund it is, when it is paid to another account (a parent company). */
  onBehalfOf?: string;
  idempotencyKey: string;
  issuedAt: string;
}

export interface OutboundRequest {
  url: string;
  /** The host the request goes to, as WHATWG `URL` parses `url`. */
  host: string;
  headers: Record<string, string>;
  body: unknown;
  /** The request's `Idempotency-Key` header, if it had one. */
  idempotencyKey: string | undefined;
  at: string;
}
