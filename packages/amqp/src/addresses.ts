import { compilePattern, ValidationError } from '@herald/core';

/**
 * Where things live on RabbitMQ 3.x through its AMQP 1.0 plugin. Events are
 * published to `/exchange/<exchange>` (a topic exchange that must exist:
 * AMQP 1.0 cannot declare one there) with routing key `<prefix><type>` in
 * the message's `subject`. A subscription attaches to
 * `/exchange/<exchange>/<prefix><pattern>`: the plugin declares an exclusive,
 * auto-delete queue bound with that key, and RabbitMQ's topic matching
 * (`*` one word, `#` zero or more) is exactly Herald's pattern language, so
 * no translation is needed. Dead letters go to the durable queue
 * `/queue/<prefix>dead-letters`, declared by the plugin on first attach.
 */
export class RabbitMQAddresses {
  constructor(
    readonly exchange: string,
    readonly prefix: string,
  ) {}

  /** Target of the publishing link; the routing key travels in `subject`. */
  get publish(): string {
    return `/exchange/${this.exchange}`;
  }

  routingKey(type: string): string {
    return this.prefix + type;
  }

  subscription(pattern: string): string {
    compilePattern(pattern);
    const key = this.routingKey(pattern);
    if (Buffer.byteLength(key) > 255) {
      throw new ValidationError('pattern', 'with the prefix it is longer than 255 bytes, the AMQP routing-key limit');
    }
    return `${this.publish}/${key}`;
  }

  get deadLetters(): string {
    return `/queue/${this.prefix}dead-letters`;
  }
}
