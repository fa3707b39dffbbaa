import { ValidationError } from '../errors.js';

/** A server URL taken apart: `scheme://user:pass@host:port/path?params`. */
export interface ServerUrl {
  /** The scheme without its colon, one of those allowed. */
  protocol: string;
  /** Without the brackets of an IPv6 literal. */
  host: string;
  port?: number;
  username?: string;
  password?: string;
  /** The path without its leading `/`, percent-decoded (AMQP: the vhost); absent when empty. */
  path?: string;
  params: URLSearchParams;
}

/**
 * Parses a server URL such as `amqp://user:pass@host:5672/vhost`. A URL that
 * is not one (unparsable, another scheme, no host, bad percent-encoding) is a
 * ValidationError naming `field`; the message never echoes the URL, which may
 * hold a password.
 */
export function parseServerUrl(url: unknown, field: string, schemes: readonly string[], example?: string): ServerUrl {
  const bad = () => new ValidationError(field, expectedUrl(schemes, example));
  if (typeof url !== 'string') throw bad();
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw bad();
  }
  const protocol = u.protocol.slice(0, -1);
  if (!schemes.includes(protocol) || u.hostname.length === 0) throw bad();
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw bad();
    }
  };
  const out: ServerUrl = { protocol, host: u.hostname.replace(/^\[|\]$/g, ''), params: u.searchParams };
  if (u.port) out.port = Number(u.port);
  if (u.username || u.password) {
    out.username = decode(u.username);
    out.password = decode(u.password);
  }
  const path = u.pathname.startsWith('/') ? u.pathname.slice(1) : u.pathname;
  if (path.length > 0) out.path = decode(path);
  return out;
}

/**
 * `scheme://host:port/path`, with `user:pass@` when a username is given (percent-encoded);
 * an IPv6 host in brackets. Without credentials it is safe to log.
 */
export function formatServerUrl(parts: {
  protocol: string;
  host: string;
  port: number;
  username?: string | undefined;
  password?: string | undefined;
  path?: string | undefined;
}): string {
  const auth =
    parts.username === undefined ? '' : `${encodeURIComponent(parts.username)}:${encodeURIComponent(parts.password ?? '')}@`;
  const host = parts.host.includes(':') ? `[${parts.host}]` : parts.host;
  return `${parts.protocol}://${auth}${host}:${parts.port}/${encodeURIComponent(parts.path ?? '')}`;
}

/** "must be an amqp:// or amqps:// URL (example)". */
export function expectedUrl(schemes: readonly string[], example?: string): string {
  const article = /^[aeiou]/i.test(schemes[0] ?? '') ? 'an' : 'a';
  const list = schemes.map((s) => `${s}://`).join(' or ');
  return `must be ${article} ${list} URL${example === undefined ? '' : ` (${example})`}`;
}
