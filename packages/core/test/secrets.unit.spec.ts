import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createRedactor, REDACTED, redactUrl } from '../src/index.js';

describe('createRedactor', () => {
  it('masks every secret, plain and URL-encoded, in text', () => {
    // Given a redactor for a password with characters URL encoding changes
    const redactor = createRedactor(['p@ss word']);

    // When a text holding it both ways is redacted
    const out = redactor.text('failed for p@ss word and p%40ss%20word');

    // Then neither form is left
    expect(out).toBe(`failed for ${REDACTED} and ${REDACTED}`);
  });

  it('masks a secret that contains another one whole, and ignores empty and missing secrets', () => {
    // Given overlapping secrets and values that are not secrets
    const redactor = createRedactor(['abc', undefined, '', null, 'abcdef']);

    // When / Then the longer one is masked whole, and text without secrets is unchanged
    expect(redactor.text('x abcdef y abc z')).toBe('x *** y *** z');
    expect(redactor.text('nothing here')).toBe('nothing here');
    expect(createRedactor([]).text('as is')).toBe('as is');
  });

  it('copies an error with its name, code and a masked message and stack, and nothing else', () => {
    // Given a client error holding the password in its message and stack, the failed command's
    // arguments (as ioredis attaches them) and a cause
    const password = 'Sup3r-S3cret';
    const thrown = Object.assign(new Error(`AUTH ${password} failed`), {
      code: 'EAUTH',
      command: { name: 'auth', args: ['user', password] },
      cause: new Error(password),
    });
    thrown.name = 'ReplyError';

    // When it is redacted, with and without context
    const copy = createRedactor([password]).error(thrown);
    const withContext = createRedactor([password]).error(thrown, 'redis-pubsub: dead letters');

    // Then the copy keeps what helps and holds no secret anywhere
    expect(copy).not.toBe(thrown);
    expect(copy.name).toBe('ReplyError');
    expect(copy.message).toBe('AUTH *** failed');
    expect((copy as Error & { code?: unknown }).code).toBe('EAUTH');
    expect(copy.stack).toContain('AUTH *** failed');
    expect(copy.cause).toBeUndefined();
    expect((copy as Error & { command?: unknown }).command).toBeUndefined();
    expect(inspect(copy, { depth: 10, showHidden: true })).not.toContain(password);
    expect(withContext.message).toBe('redis-pubsub: dead letters: AUTH *** failed');
  });

  it('turns anything thrown into an Error', () => {
    // Given / When a string with a secret is redacted as an error
    const copy = createRedactor(['hunter2']).error('login hunter2 refused');

    // Then it is an Error with the secret masked
    expect(copy).toBeInstanceOf(Error);
    expect(copy.message).toBe('login *** refused');
  });
});

describe('redactUrl', () => {
  it.each([
    ['amqp://app:secret@rabbit:5672/prod', 'amqp://app:***@rabbit:5672/prod'],
    ['redis://:secret@redis:6379/1', 'redis://:***@redis:6379/1'],
    ['rediss://user:secret@redis', 'rediss://user:***@redis'],
    ['amqp://app:p@ss@rabbit:5672/', 'amqp://app:***@rabbit:5672/'],
    ['amqp://app:a%2Fb%40c@rabbit/', 'amqp://app:***@rabbit/'],
    ['redis://redis:6379/0', 'redis://redis:6379/0'],
    ['amqp://guest@rabbit', 'amqp://guest@rabbit'],
    // passwords written raw, URL delimiters and all: none of them may be left
    ['amqp://guest:s3cr/etpw@h:5672/v', 'amqp://guest:***@h:5672/v'],
    ['amqp://guest:a/b/c@h/v', 'amqp://guest:***@h/v'],
    ['redis://:pa:ss:wd@h:6379', 'redis://:***@h:6379'],
    ['amqp://u:pa#ss@h:5672/v', 'amqp://u:***@h:5672/v'],
    ['amqp://u:pa?ss@h:5672/v', 'amqp://u:***@h:5672/v'],
    ['amqp://u:p/a@s:s#w?d@h:5672/v?heartbeat=5', 'amqp://u:***@h:5672/v?heartbeat=5'],
    ['amqp://u:%2F%40%3A%23@h/v', 'amqp://u:***@h/v'],
    ['u:secret/pw@h:6379', 'u:***@h:6379'],
  ])('%s → %s', (url, safe) => {
    expect(redactUrl(url)).toBe(safe);
  });

  it('never leaves any part of a password with an @ in it', () => {
    expect(redactUrl('amqp://app:top@secret@rabbit:5672/')).not.toContain('secret');
  });
});
