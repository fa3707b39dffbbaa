import { isHeraldError, type Logger, type Redactor } from '@herald/core';
import type { Channel } from 'amqplib';
import type { ConnectionManager } from './connection-manager.js';
import { closeQuietly } from './close-quietly.js';
import { RabbitMQConnectionError } from './errors.js';

/**
 * Short-lived channels for declarations and queue reads. A failed AMQP
 * operation closes its channel, so each job gets its own and a bad
 * declaration never takes the publishing or consuming channels with it.
 * What fails reaches callers as a HeraldError: the client's own errors (a
 * channel or connection closed under the job, a broker refusal) become a
 * `RabbitMQConnectionError` (code `CONNECTION`) with a scrubbed cause.
 */
export class AdminChannels {
  constructor(
    private readonly manager: ConnectionManager,
    private readonly waitMs: number,
    private readonly logger: Logger,
    private readonly redactor: Redactor,
  ) {}

  async with<T>(job: (ch: Channel) => Promise<T>): Promise<T> {
    try {
      const conn = await this.manager.ensure(this.waitMs);
      const ch = await conn.createChannel();
      ch.on('error', (error: unknown) => {
        this.logger.debug({ transport: 'rabbitmq', error: this.redactor.error(error).message }, 'rabbitmq admin channel closed by the broker');
      });
      try {
        return await job(ch);
      } finally {
        await closeQuietly(ch);
      }
    } catch (error) {
      if (isHeraldError(error)) throw error;
      const cause = this.redactor.error(error);
      throw new RabbitMQConnectionError(`the broker did not complete the request: ${cause.message}`, { cause });
    }
  }
}
