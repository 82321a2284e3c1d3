import type { ServicesFactory } from 'warden';

/** The service the tool calls; in a real project, a client of your ticket system with its credentials. */
export class TicketDesk {
  private readonly statuses = new Map([
    ['t-1', 'open'],
    ['t-2', 'closed'],
  ]);

  status(ticketId: string): string {
    const status = this.statuses.get(ticketId);
    if (status === undefined) throw new Error(`no ticket ${ticketId}`);
    return status;
  }
}

declare module 'warden' {
  interface ToolServices {
    tickets: TicketDesk;
  }
}

export const services: ServicesFactory = () => ({ tickets: new TicketDesk() });
