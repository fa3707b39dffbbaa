import { ConnectionError } from '@herald/core';

/**
 * The broker could not be reached or refused the connection. Its message names
 * the endpoint without credentials; `cause` is a scrubbed copy of the client's
 * error. A core ConnectionError: code `CONNECTION`.
 */
export class RabbitMQConnectionError extends ConnectionError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RabbitMQConnectionError';
  }
}
