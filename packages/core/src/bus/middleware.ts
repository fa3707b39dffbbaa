import type { BaseEvent } from '../events/types.js';
import type { EventBusMiddleware, HandlerContext } from './types.js';

export type PublishFn = (event: BaseEvent) => Promise<void>;
export type InvokeFn = (event: BaseEvent, ctx: HandlerContext) => Promise<void>;

/** Wraps `publish` in every middleware's `publish`, first middleware outermost. Built once per bus. */
export function composePublish(middleware: readonly EventBusMiddleware[], publish: PublishFn): PublishFn {
  let fn = publish;
  for (let i = middleware.length - 1; i >= 0; i--) {
    const mw = middleware[i];
    if (!mw?.publish) continue;
    const next = fn;
    fn = (event) => mw.publish!(event, next);
  }
  return fn;
}

/**
 * `send(event)`, with a synchronous throw (validation runs before the first
 * await) turned into a rejection: a bus's `publish` never throws, it rejects.
 */
export function callPublish(send: PublishFn, event: BaseEvent): Promise<void> {
  try {
    return send(event);
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Publishes every event through `send` at once (each through the publish
 * middleware on its own) and waits for all of them; rejects with the first
 * failure once every publish settled, so none is left running behind the caller.
 */
export async function publishEach(send: PublishFn, events: readonly BaseEvent[]): Promise<void> {
  const results = await Promise.allSettled(events.map((e) => callPublish(send, e)));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** Wraps a handler in every middleware's `handle`, first middleware outermost. Built once per subscription. */
export function composeHandle(middleware: readonly EventBusMiddleware[], invoke: InvokeFn): InvokeFn {
  let fn = invoke;
  for (let i = middleware.length - 1; i >= 0; i--) {
    const mw = middleware[i];
    if (!mw?.handle) continue;
    const next = fn;
    fn = (event, ctx) => mw.handle!(event, ctx, () => next(event, ctx));
  }
  return fn;
}
