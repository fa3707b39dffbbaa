import { randomUUID } from 'node:crypto';
import { CommandValidationError, NoHandlerError, ValidationError } from '../errors.js';
import { copyFields } from '../events/copy-fields.js';

export interface Command<TPayload extends Record<string, unknown> = Record<string, unknown>> {
  id: string;
  type: string;
  payload: TPayload;
  metadata: {
    userId?: string;
    timestamp: Date;
    correlationId: string;
    causationId?: string;
    [key: string]: unknown;
  };
}

export interface CommandHandler<C extends Command = Command, R = void> {
  handle(command: C): Promise<R>;
  /** Return false to reject the command with CommandValidationError. */
  validate?(command: C): Promise<boolean> | boolean;
}

export interface CommandBus {
  dispatch<C extends Command, R = void>(command: C): Promise<R>;
  register<C extends Command, R = void>(commandType: string, handler: CommandHandler<C, R>): void;
}

/** Builds a command with a fresh id, timestamp and (unless given) correlation id. */
export function createCommand<P extends Record<string, unknown>>(
  type: string,
  payload: P,
  metadata: Partial<Command['metadata']> = {},
): Command<P> {
  const fields = copyFields<Record<string, unknown>>({}, metadata);
  fields.timestamp = metadata.timestamp ?? new Date();
  fields.correlationId = metadata.correlationId ?? randomUUID();
  return { id: randomUUID(), type, payload, metadata: fields as Command['metadata'] };
}

/** One handler per command type; dispatch validates, then handles. */
export class EventDrivenCommandBus implements CommandBus {
  private readonly handlers = new Map<string, CommandHandler<Command, unknown>>();

  register<C extends Command, R = void>(commandType: string, handler: CommandHandler<C, R>): void {
    if (typeof commandType !== 'string' || commandType.length === 0) {
      throw new ValidationError('commandType', 'must be a non-empty string');
    }
    if (!handler || typeof handler.handle !== 'function') {
      throw new ValidationError('handler', 'must have a handle() method');
    }
    if (this.handlers.has(commandType)) {
      throw new ValidationError('commandType', `a handler for "${commandType}" is already registered`);
    }
    this.handlers.set(commandType, handler as unknown as CommandHandler<Command, unknown>);
  }

  async dispatch<C extends Command, R = void>(command: C): Promise<R> {
    if (!command || typeof command.type !== 'string') {
      throw new ValidationError('command.type', 'must be a string');
    }
    const handler = this.handlers.get(command.type);
    if (!handler) throw new NoHandlerError(command.type);
    if (handler.validate && !(await handler.validate(command))) {
      throw new CommandValidationError(command.type);
    }
    return (await handler.handle(command)) as R;
  }
}
