import { describe, expect, it } from 'vitest';
import { type BaseEvent, type HandlerContext, idempotent, InboxBusyError, InMemoryInbox, ValidationError } from '../src/index.js';
import { deferred, domainEvent } from './helpers.js';

const ctx = {} as HandlerContext;

describe('idempotent', () => {
  it('runs the handler once per event id, however often the event is delivered', async () => {
    // Given
    const handled: string[] = [];
    const handler = idempotent((e: BaseEvent) => void handled.push(e.id), { store: new InMemoryInbox() });
    const event = domainEvent();
    // When it is delivered three times
    await handler(event, ctx);
    await handler(event, ctx);
    await handler(structuredClone(event), ctx);
    // Then
    expect(handled).toEqual([event.id]);
  });

  it('a handler that throws leaves no record, so the next delivery runs it', async () => {
    const inbox = new InMemoryInbox();
    let calls = 0;
    const handler = idempotent(
      () => {
        calls++;
        if (calls === 1) throw new Error('first try fails');
      },
      { store: inbox },
    );
    const event = domainEvent();
    await expect(handler(event, ctx)).rejects.toThrow('first try fails');
    expect(inbox.size).toBe(0);
    await handler(event, ctx);
    await handler(event, ctx);
    expect(calls).toBe(2);
  });

  it('a duplicate delivered while the first still runs fails with InboxBusyError (to be retried)', async () => {
    const gate = deferred();
    const handler = idempotent(() => gate.promise, { store: new InMemoryInbox() });
    const event = domainEvent();
    const first = handler(event, ctx);
    await expect(handler(event, ctx)).rejects.toBeInstanceOf(InboxBusyError);
    gate.resolve();
    await first;
    await handler(event, ctx); // done now: skipped, resolves
  });

  it('scopes and key functions keep separate records; records expire after ttlMs', async () => {
    let clock = 1_000;
    const inbox = new InMemoryInbox({ now: () => clock });
    const seen: string[] = [];
    const a = idempotent(() => void seen.push('a'), { store: inbox, scope: 'a' });
    const b = idempotent(() => void seen.push('b'), { store: inbox, scope: 'b' });
    const byCorrelation = idempotent((e: BaseEvent) => void seen.push(e.metadata.correlationId), {
      store: inbox,
      key: (e) => `corr:${e.metadata.correlationId}`,
      ttlMs: 50,
    });
    const event = domainEvent();
    await a(event, ctx);
    await b(event, ctx);
    await a(event, ctx);
    await byCorrelation(event, ctx);
    expect(seen).toEqual(['a', 'b', event.metadata.correlationId]);
    clock += 49;
    await byCorrelation(event, ctx);
    expect(seen).toHaveLength(3);
    // once ttlMs has passed, the record is gone
    clock += 1;
    await byCorrelation(event, ctx);
    expect(seen).toHaveLength(4);
  });

  it('rejects a missing store and bad ttl', () => {
    expect(() => idempotent(() => {}, {} as never)).toThrow(ValidationError);
    expect(() => idempotent(() => {}, { store: new InMemoryInbox(), ttlMs: 0 })).toThrow(ValidationError);
  });
});
