import { inspect } from 'node:util';

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  fields: Record<string, unknown>;
  message: string;
}

/** A Logger (core's pino-style interface) that keeps every line, to assert on what was — and was not — logged. */
export class CapturingLogger {
  readonly lines: LogLine[] = [];
  debug(fields: Record<string, unknown>, message: string): void {
    this.lines.push({ level: 'debug', fields, message });
  }
  info(fields: Record<string, unknown>, message: string): void {
    this.lines.push({ level: 'info', fields, message });
  }
  warn(fields: Record<string, unknown>, message: string): void {
    this.lines.push({ level: 'warn', fields, message });
  }
  error(fields: Record<string, unknown>, message: string): void {
    this.lines.push({ level: 'error', fields, message });
  }
  /** Every line as text, fields in full (errors with their stacks, causes and own properties): what a leak check searches. */
  text(): string {
    return this.lines.map((l) => `${l.level} ${l.message} ${inspect(l.fields, { depth: 10 })}`).join('\n');
  }
}
