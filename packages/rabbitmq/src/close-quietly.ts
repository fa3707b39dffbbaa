import type { EventEmitter } from 'node:events';

/** How long a close handshake may take before we stop waiting for it. */
export const CLOSE_BOUND_MS = 2_000;

/**
 * Closes an amqplib channel or connection without ever hanging: amqplib's
 * `close()` waits for the broker's close-ok, which never comes when the socket
 * dies mid-handshake. Resolves on close-ok, on the object's 'close' event, on
 * an error (already closed), or after `boundMs` — whichever is first.
 */
export function closeQuietly(target: EventEmitter & { close(): Promise<void> }, boundMs = CLOSE_BOUND_MS): Promise<void> {
  return new Promise<void>((resolve) => {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      target.removeListener('close', finish);
      resolve();
    };
    const timer = setTimeout(finish, boundMs);
    target.once('close', finish);
    try {
      target.close().then(finish, finish);
    } catch {
      finish();
    }
  });
}

/** Resolves with the RPC's result, or undefined if it fails or takes longer than `boundMs`. */
export function settleWithin<T>(promise: Promise<T>, boundMs = CLOSE_BOUND_MS): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.catch(() => undefined),
    new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), boundMs);
    }),
  ]).finally(() => clearTimeout(timer));
}
