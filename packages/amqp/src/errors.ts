import { ConnectionError } from '@herald/core';

/**
 * The AMQP broker could not be reached, refused the connection (SASL, TLS)
 * or did not open it within `connectTimeoutMs`. A core ConnectionError: code
 * `CONNECTION`; the message names the endpoint, never the password.
 */
export class AmqpConnectionError extends ConnectionError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AmqpConnectionError';
  }
}
