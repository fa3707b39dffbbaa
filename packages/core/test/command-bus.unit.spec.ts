import { describe, expect, it, vi } from 'vitest';
import {
  type Command,
  CommandValidationError,
  createCommand,
  EventDrivenCommandBus,
  NoHandlerError,
  ValidationError,
} from '../src/index.js';

describe('EventDrivenCommandBus', () => {
  it('dispatches to the registered handler and returns its value', async () => {
    // Given
    const bus = new EventDrivenCommandBus();
    const handle = vi.fn(async (c: Command<{ points: number }>) => ({ awarded: c.payload.points }));
    bus.register('points.award', { handle });
    const command = createCommand('points.award', { points: 5 });
    // When
    const result = await bus.dispatch<Command<{ points: number }>, { awarded: number }>(command);
    // Then
    expect(result).toEqual({ awarded: 5 });
    expect(handle).toHaveBeenCalledWith(command);
  });

  it('throws when a second handler registers for a type', () => {
    // Given
    const bus = new EventDrivenCommandBus();
    bus.register('points.award', { handle: async () => {} });
    // When / Then
    expect(() => bus.register('points.award', { handle: async () => {} })).toThrow(ValidationError);
    expect(() => bus.register('points.award', { handle: async () => {} })).toThrow(/already registered/);
  });

  it('rejects a bad type or handler at register', () => {
    const bus = new EventDrivenCommandBus();
    expect(() => bus.register('', { handle: async () => {} })).toThrow(ValidationError);
    expect(() => bus.register('x', {} as never)).toThrow(ValidationError);
  });

  it('throws NoHandlerError for an unknown type', async () => {
    // Given
    const bus = new EventDrivenCommandBus();
    // When
    const dispatching = bus.dispatch(createCommand('points.unknown', {}));
    // Then
    await expect(dispatching).rejects.toBeInstanceOf(NoHandlerError);
    await expect(dispatching).rejects.toMatchObject({ commandType: 'points.unknown', code: 'NO_HANDLER' });
  });

  it('throws CommandValidationError when validate returns false, without handling', async () => {
    // Given
    const bus = new EventDrivenCommandBus();
    const handle = vi.fn(async () => {});
    bus.register('points.award', { handle, validate: async () => false });
    bus.register('points.sync', { handle, validate: () => false });
    // When / Then
    await expect(bus.dispatch(createCommand('points.award', {}))).rejects.toBeInstanceOf(CommandValidationError);
    await expect(bus.dispatch(createCommand('points.sync', {}))).rejects.toMatchObject({ commandType: 'points.sync' });
    expect(handle).not.toHaveBeenCalled();
  });

  it('handles when validate returns true', async () => {
    const bus = new EventDrivenCommandBus();
    const handle = vi.fn(async () => 'ok');
    bus.register('points.award', { handle, validate: async () => true });
    await expect(bus.dispatch(createCommand('points.award', {}))).resolves.toBe('ok');
  });

  it("passes the handler's own error through unchanged", async () => {
    // Given
    const bus = new EventDrivenCommandBus();
    const own = new RangeError('not enough points');
    bus.register('points.spend', {
      handle: async () => {
        throw own;
      },
    });
    // When / Then
    await expect(bus.dispatch(createCommand('points.spend', {}))).rejects.toBe(own);
  });

  it("passes validate's own error through unchanged", async () => {
    const bus = new EventDrivenCommandBus();
    const own = new Error('validator down');
    bus.register('points.spend', {
      handle: async () => {},
      validate: async () => {
        throw own;
      },
    });
    await expect(bus.dispatch(createCommand('points.spend', {}))).rejects.toBe(own);
  });

  it('rejects a command without a type', async () => {
    const bus = new EventDrivenCommandBus();
    await expect(bus.dispatch({} as Command)).rejects.toBeInstanceOf(ValidationError);
    await expect(bus.dispatch(undefined as unknown as Command)).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('createCommand', () => {
  it('fills id, timestamp and correlationId, keeping what is given', () => {
    // Given
    const timestamp = new Date('2024-01-01T00:00:00.000Z');
    // When
    const filled = createCommand('a.b', { x: 1 });
    const given = createCommand('a.b', {}, { correlationId: 'corr', timestamp, userId: 'u' });
    // Then
    expect(filled.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(filled.metadata.timestamp).toBeInstanceOf(Date);
    expect(filled.metadata.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(filled.payload).toEqual({ x: 1 });
    expect(given.metadata).toEqual({ correlationId: 'corr', timestamp, userId: 'u' });
    expect(createCommand('a.b', {}).id).not.toBe(filled.id);
  });
});
