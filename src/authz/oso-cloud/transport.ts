import { AsyncLocalStorage } from 'node:async_hooks';

/** What happened on the wire during one PDP call: reported in the decision so retries are visible. */
export interface CallTrace {
  attempts: number;
  failures: string[];
}

export const callTrace = new AsyncLocalStorage<CallTrace>();

const RETRY_STATUS = new Set([429, 500, 502, 503, 504]);

// The SDK types its fetch as (input: any, init?: any) => Promise<any>; we keep its shape.
// biome-ignore lint/suspicious/noExplicitAny: mirrors the oso-cloud ClientOptions.fetchBuilder signature
type SdkFetch = (input: any, init?: any) => Promise<any>;

export interface RetryPolicy {
  /** Extra attempts after the first; bounded so an outage costs a known amount of time. */
  retries: number;
  /** Delay before retry n (1-based) is `backoffMs * 2^(n-1)`. */
  backoffMs: number;
}

/**
 * Replaces the SDK's own retry (which also retries 400s and logs raw fetch errors to stderr) with a
 * bounded retry that records every attempt in the current {@link callTrace}. A network failure on
 * the last attempt becomes a 503 answer, so the SDK raises an ordinary error carrying the cause.
 */
export function retryingFetch(policy: RetryPolicy): (fetch: SdkFetch) => SdkFetch {
  return (fetch) => async (input, init) => {
    const trace = callTrace.getStore();
    for (let attempt = 0; ; attempt++) {
      if (trace) trace.attempts++;
      const last = attempt >= policy.retries;
      try {
        const response = await fetch(input, init);
        if (!RETRY_STATUS.has(response.status) || last) return response;
        trace?.failures.push(`HTTP ${response.status}`);
      } catch (error) {
        const cause = describeFetchError(error);
        trace?.failures.push(cause);
        if (last) {
          return new Response(JSON.stringify({ message: `Oso server unreachable: ${cause}` }), {
            status: 503,
            headers: { 'content-type': 'application/json' },
          });
        }
      }
      await new Promise((resolve) => setTimeout(resolve, policy.backoffMs * 2 ** attempt));
    }
  };
}

function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'AbortError') return 'request timed out';
  const code = (error as { code?: string }).code;
  return code ? `${code}: ${error.message}` : error.message;
}
