/**
 * The dev server's own request counters, from its Prometheus `/metrics` endpoint: how many RPCs each
 * of its services (frontend, history, matching) answered, and how many persistence calls it made,
 * between two scrapes. What a benchmark divides by its operations to give RPCs per operation.
 */

/** `service:operation` (or `persistence:operation`) → count, for one namespace and the system's. */
export type RequestCounts = Map<string, number>;

const LINE = /^(service_requests|persistence_requests)\{([^}]*)\} ([0-9.e+]+)$/;

function labels(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const match of text.matchAll(/(\w+)="([^"]*)"/g)) out[match[1] as string] = match[2] as string;
  return out;
}

/** Reads the counters now. */
export async function scrapeRequests(metricsUrl: string): Promise<RequestCounts> {
  const text = await (await fetch(metricsUrl)).text();
  const counts: RequestCounts = new Map();
  for (const line of text.split('\n')) {
    const match = LINE.exec(line);
    if (!match) continue;
    const l = labels(match[2] as string);
    const key =
      match[1] === 'service_requests'
        ? `${l.service_name}:${l.operation}`
        : `persistence:${l.operation ?? 'unknown'}`;
    counts.set(key, (counts.get(key) ?? 0) + Number(match[3]));
  }
  return counts;
}

/** What changed between two scrapes, per key, largest first, zeros left out. */
export function requestDelta(before: RequestCounts, after: RequestCounts): Array<[string, number]> {
  return [...after]
    .map(([key, value]): [string, number] => [key, value - (before.get(key) ?? 0)])
    .filter(([, value]) => value > 0)
    .sort((a, b) => b[1] - a[1]);
}
