/** The unguarded baseline a benchmark worker registers next to Warden's activities. */
export interface BenchBaselineActivities {
  readTicketUnguarded(ticketId: string): Promise<unknown>;
}
