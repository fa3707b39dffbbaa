/**
 * Errors from ioredis can carry what must never be logged: a failed AUTH
 * keeps its arguments (the password) on `error.command`, and a failed PUBLISH
 * the payload. Herald passes on only a copy with name and message, with every
 * known secret masked.
 */
export class Redactor {
  private readonly secrets: string[];

  constructor(secrets: Iterable<string | undefined>) {
    this.secrets = [...secrets].filter((s): s is string => typeof s === 'string' && s.length > 0);
    // Longest first, so a secret that contains another is masked whole.
    this.secrets.sort((a, b) => b.length - a.length);
  }

  /** A message safe to log. */
  text(message: string): string {
    let out = message;
    for (const secret of this.secrets) if (out.includes(secret)) out = out.split(secret).join('***');
    return out;
  }

  /** A fresh Error with the same name and a masked message: no cause, no command, no stack from ioredis. */
  error(thrown: unknown, context?: string): Error {
    const source = thrown instanceof Error ? thrown : new Error(String(thrown));
    const message = this.text(context ? `${context}: ${source.message}` : source.message);
    const copy = new Error(message);
    copy.name = source.name;
    return copy;
  }
}
