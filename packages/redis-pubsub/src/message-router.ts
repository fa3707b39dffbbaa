import { DecodeError, toError, type DeadLetterRecord, type Logger, type Subscription } from '@herald/core';
import {
  createDeadLetterRecord,
  type DeliveryQueue,
  type DeliveryQueues,
  type DispatchPipeline,
} from '@herald/core/transport';
import { canonicalGlob, type Glob } from './globs.js';

/** A subscription as the router sees it: its matcher, its globs and the queue its events go to. */
export interface Route {
  readonly subscription: Subscription;
  readonly matches: (type: string) => boolean;
  readonly globs: readonly Glob[];
  readonly queue: DeliveryQueue;
}

export interface MessageRouterOptions {
  prefix: string;
  pipeline: DispatchPipeline;
  deliveries: DeliveryQueues;
  deadLetter: (record: DeadLetterRecord) => Promise<unknown>;
  logger: Logger;
}

interface Resolved {
  readonly type: string;
  readonly routes: readonly Route[];
  /** Where a message that does not decode is reported to have failed (the first route's pattern). */
  readonly where: { readonly pattern: string };
}

const NOTHING: Resolved = Object.freeze({ type: '', routes: Object.freeze([]) as readonly Route[], where: Object.freeze({ pattern: '' }) });
const CACHE_LIMIT = 10_000;

/**
 * From a Redis message to subscription queues. Per (glob, channel) it works
 * out once — and caches until subscriptions change — which subscriptions take
 * the message: those whose pattern matches the channel's type under core's
 * matcher, and for which this glob is the canonical one (a subscription with
 * overlapping globs gets each publish once). The message is decoded once,
 * through core's pipeline, and shared by those subscriptions; what does not
 * decode, or whose type differs from its channel, is dead-lettered with its
 * raw text and reaches no handler.
 */
export class MessageRouter {
  private readonly options: MessageRouterOptions;
  private readonly byGlob = new Map<string, Route[]>();
  private cache = new Map<string, Map<string, Resolved>>();
  private cached = 0;

  constructor(options: MessageRouterOptions) {
    this.options = options;
  }

  add(route: Route): void {
    for (const g of route.globs) {
      const list = this.byGlob.get(g.text);
      if (list) list.push(route);
      else this.byGlob.set(g.text, [route]);
    }
    this.invalidate();
  }

  remove(route: Route): void {
    for (const g of route.globs) {
      const list = this.byGlob.get(g.text);
      if (!list) continue;
      const i = list.indexOf(route);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.byGlob.delete(g.text);
    }
    this.invalidate();
  }

  /** The ioredis `pmessageBuffer` listener. Never throws: it runs inside ioredis's reply parser. */
  readonly receive = (glob: string, channelBytes: Buffer, message: Buffer): void => {
    try {
      const owners = this.byGlob.get(glob);
      if (owners === undefined) return;
      const channel = channelBytes.toString();
      let perGlob = this.cache.get(glob);
      let resolved = perGlob?.get(channel);
      if (resolved === undefined) {
        resolved = this.resolve(glob, channel, owners);
        if (this.cached >= CACHE_LIMIT) this.invalidate();
        perGlob = this.cache.get(glob);
        if (perGlob === undefined) {
          perGlob = new Map();
          this.cache.set(glob, perGlob);
        }
        perGlob.set(channel, resolved);
        this.cached++;
      }
      const { routes } = resolved;
      if (routes.length === 0) return;
      this.deliver(resolved, message);
    } catch (error) {
      this.options.logger.error({ transport: 'redis-pubsub', error: toError(error).message }, 'redis-pubsub: message routing failed unexpectedly');
    }
  };

  private deliver(resolved: Resolved, message: Buffer): void {
    const { routes, type } = resolved;
    const first = routes[0]!.subscription;
    const decoded = this.options.pipeline.decode(message, resolved.where);
    if (decoded.deadLetter !== undefined) {
      void this.options.deadLetter(decoded.deadLetter);
      return;
    }
    const event = decoded.event;
    if (event.type !== type) {
      const error = new DecodeError(`the event's type "${event.type}" is not its channel's type "${type}"`, message);
      this.options.logger.warn({ transport: 'redis-pubsub', pattern: first.pattern, error: error.message }, 'undecodable message dead-lettered');
      void this.options.deadLetter(createDeadLetterRecord({ raw: message, error, attempts: 0, pattern: first.pattern }));
      return;
    }
    const { deliveries } = this.options;
    // A full queue sheds the event into the dead letters (DeliveryQueues logs that per interval).
    for (let i = 0; i < routes.length; i++) deliveries.push(routes[i]!.queue, event);
  }

  private resolve(glob: string, channel: string, owners: readonly Route[]): Resolved {
    const { prefix } = this.options;
    if (!channel.startsWith(prefix)) return NOTHING;
    const type = channel.slice(prefix.length);
    const routes = owners.filter((r) => r.matches(type) && canonicalGlob(r.globs, channel)?.text === glob);
    return routes.length === 0 ? NOTHING : { type, routes, where: { pattern: routes[0]!.subscription.pattern } };
  }

  private invalidate(): void {
    this.cache = new Map();
    this.cached = 0;
  }
}
