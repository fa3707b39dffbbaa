import { deleteKeys, type KeyClient } from './redis-keys.js';

/** What the idempotent-consumer conformance case needs of an inbox made here. */
interface ClosableInbox {
  close(): Promise<void>;
}

/**
 * A factory for the bus conformance suite's `inboxes` option: each call makes an inbox (a
 * `RedisInbox`) under a prefix of its own, and its `close` also deletes that prefix's keys, so
 * the shared Redis keeps no `done` records (they live for days otherwise). The caller passes its
 * constructors in: this folder cannot import @herald/redis-store or ioredis.
 */
export function redisInboxFactory<I extends ClosableInbox>(
  createInbox: (prefix: string) => I,
  createAdmin: () => KeyClient & { quit(): Promise<unknown> },
  tag: string,
): () => I {
  let n = 0;
  return () => {
    const prefix = `t.inbox.${tag}.${process.pid}.${Date.now().toString(36)}.${n++}:`;
    const inbox = createInbox(prefix);
    const close = inbox.close.bind(inbox);
    inbox.close = async () => {
      await close();
      const admin = createAdmin();
      try {
        await deleteKeys(admin, prefix);
      } finally {
        await admin.quit();
      }
    };
    return inbox;
  };
}
