/**
 * The dev host listens on loopback, but any web page the user visits can send requests there.
 * Only the studio's own page may use the API: a foreign Origin or Host (DNS rebinding) is refused,
 * and calls must be JSON (uploads: octet-stream), which a cross-site page cannot send without a
 * preflight we never allow.
 */
import type { IncomingHttpHeaders } from 'node:http';

export type GuardVerdict = { ok: true } | { ok: false; status: 403 | 415; reason: string };

/** `port` is the one the host listens on; the page is served from 127.0.0.1 or localhost there. */
export function checkRequest(
  method: string,
  headers: IncomingHttpHeaders,
  port: number,
  needsJson: boolean,
  /** The upload route's posts are the file's bytes instead: application/octet-stream. */
  bytes = false,
): GuardVerdict {
  const allowedHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  if (!headers.host || !allowedHosts.has(headers.host.toLowerCase()))
    return { ok: false, status: 403, reason: `host ${headers.host ?? '(none)'} is not this studio` };
  const origin = headers.origin;
  if (origin !== undefined && !allowedHosts.has(origin.toLowerCase().replace(/^http:\/\//, '')))
    return { ok: false, status: 403, reason: `origin ${origin} may not use the studio's API` };
  const type = (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (bytes && method === 'POST' && type !== 'application/octet-stream')
    return { ok: false, status: 415, reason: 'uploads must be application/octet-stream' };
  if (needsJson && !bytes && method === 'POST' && type !== 'application/json')
    return { ok: false, status: 415, reason: 'API calls must be application/json' };
  return { ok: true };
}

/** The cookie that carries the studio's per-launch secret after the launch link was opened. */
export const SESSION_COOKIE = 'marionette-session';
/** The header that may carry it instead (tools and tests that cannot keep cookies). */
export const SESSION_HEADER = 'x-marionette-token';

function cookie(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

function sameSecret(given: string | null, secret: string): boolean {
  if (given === null || given.length !== secret.length) return false;
  let diff = 0;
  for (let i = 0; i < secret.length; i++) diff |= given.charCodeAt(i) ^ secret.charCodeAt(i);
  return diff === 0;
}

export type SessionVerdict =
  | { kind: 'ok' }
  /** The launch link: set the cookie and send the browser on to `location` (the token dropped). */
  | { kind: 'login'; location: string; setCookie: string }
  | { kind: 'refused'; reason: string };

/**
 * Every request needs the per-launch secret that only the studio's page receives: in its cookie,
 * or in the header; the launch link `/?token=SECRET` sets the cookie (HttpOnly, SameSite=Strict).
 */
export function checkSession(url: string, headers: IncomingHttpHeaders, secret: string): SessionVerdict {
  const parsed = new URL(url, 'http://localhost');
  const fromQuery = parsed.searchParams.get('token');
  if (fromQuery !== null) {
    if (!sameSecret(fromQuery, secret)) return { kind: 'refused', reason: 'wrong studio token' };
    parsed.searchParams.delete('token');
    return {
      kind: 'login',
      location: `${parsed.pathname}${parsed.search}`,
      setCookie: `${SESSION_COOKIE}=${secret}; HttpOnly; SameSite=Strict; Path=/`,
    };
  }
  const header = headers[SESSION_HEADER];
  const given = typeof header === 'string' ? header : cookie(headers.cookie, SESSION_COOKIE);
  if (sameSecret(given, secret)) return { kind: 'ok' };
  return {
    kind: 'refused',
    reason: "open the studio with the link the dev host printed (it holds this launch's token)",
  };
}

/** Headers every dev-host answer carries: no framing by other pages. */
export const SECURITY_HEADERS = {
  'content-security-policy': "frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
} as const;
