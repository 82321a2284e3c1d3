import proto from '@temporalio/proto';

// The package is CommonJS; Node's ESM loader only exposes its default export.
const { temporal } = proto;

type History = proto.temporal.api.history.v1.IHistory;

/** Event type names (e.g. `ACTIVITY_TASK_COMPLETED`) of a fetched history, in order. */
export function eventTypeNames(history: History): string[] {
  return (history.events ?? []).map((event) => {
    const name = temporal.api.enums.v1.EventType[event.eventType ?? 0] ?? 'EVENT_TYPE_UNSPECIFIED';
    return name.replace(/^EVENT_TYPE_/, '');
  });
}

/** Counts per event type, in order of first appearance: a compact summary for terminals. */
export function summarizeHistory(history: History): Array<{ type: string; count: number }> {
  const counts = new Map<string, number>();
  for (const name of eventTypeNames(history)) counts.set(name, (counts.get(name) ?? 0) + 1);
  return [...counts].map(([type, count]) => ({ type, count }));
}
