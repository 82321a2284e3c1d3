import { Context } from '@temporalio/activity';

/**
 * Wraps an activity so that it heartbeats while it runs, at a third of the heartbeat timeout the
 * workflow gave. A worker that dies (kill -9, a lost host) stops heartbeating, and the server retries
 * the attempt on another worker when the heartbeat timeout passes, not when start-to-close does.
 * An activity scheduled without a heartbeat timeout (runs recorded before it existed) runs as is.
 * No beat at the start: the server counts the timeout from the attempt's start, so the first beat is
 * due a third of the way in; a call that finishes sooner (most do) costs no heartbeat RPC and no
 * mutable-state write on the server.
 */
export function heartbeating<A extends unknown[], R>(activity: (...args: A) => Promise<R>) {
  return async (...args: A): Promise<R> => {
    const context = Context.current();
    const timeoutMs = context.info.heartbeatTimeoutMs;
    if (!timeoutMs) return activity(...args);
    const timer = setInterval(() => context.heartbeat(), Math.max(200, Math.floor(timeoutMs / 3)));
    try {
      return await activity(...args);
    } finally {
      clearInterval(timer);
    }
  };
}
