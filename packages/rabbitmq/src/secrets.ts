/**
 * Keeps credentials out of errors and log lines. amqplib and Node's socket
 * errors do not print passwords today, but a bus never relies on that: every
 * error that leaves the package or reaches the logger goes through `scrub`.
 */
export class Secrets {
  private readonly values: string[];

  constructor(values: Array<string | undefined>) {
    const set = new Set<string>();
    for (const v of values) {
      if (typeof v !== 'string' || v.length === 0) continue;
      set.add(v);
      set.add(encodeURIComponent(v));
    }
    // Longest first, so a secret that contains another is replaced whole.
    this.values = [...set].sort((a, b) => b.length - a.length);
  }

  /** Replaces every secret in `text` with `***`. */
  text(text: string): string {
    let out = text;
    for (const v of this.values) if (out.includes(v)) out = out.split(v).join('***');
    return out;
  }

  /** A copy of `thrown` as an Error whose message and stack hold no secret; keeps `name` and `code`. */
  error(thrown: unknown): Error {
    const source = thrown instanceof Error ? thrown : new Error(String(thrown));
    const copy = new Error(this.text(source.message));
    copy.name = source.name;
    copy.stack = source.stack === undefined ? undefined : this.text(source.stack);
    const code = (source as { code?: unknown }).code;
    if (typeof code === 'string' || typeof code === 'number') (copy as Error & { code?: unknown }).code = code;
    return copy;
  }
}

/**
 * The broker could not be reached or refused the connection. Its message names
 * the endpoint without credentials; `cause` is a scrubbed copy of the client's error.
 */
export class RabbitMQConnectionError extends Error {
  readonly code = 'RABBITMQ_CONNECTION';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RabbitMQConnectionError';
  }
}
