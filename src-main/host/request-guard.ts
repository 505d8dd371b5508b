/**
 * The dev host listens on loopback, but any web page the user visits can send requests there.
 * Only the studio's own page may use the API: a foreign Origin or Host (DNS rebinding) is refused,
 * and calls must be JSON, which a cross-site page cannot send without a preflight we never allow.
 */
import type { IncomingHttpHeaders } from 'node:http';

export type GuardVerdict = { ok: true } | { ok: false; status: 403 | 415; reason: string };

/** `port` is the one the host listens on; the page is served from 127.0.0.1 or localhost there. */
export function checkRequest(
  method: string,
  headers: IncomingHttpHeaders,
  port: number,
  needsJson: boolean,
): GuardVerdict {
  const allowedHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  if (!headers.host || !allowedHosts.has(headers.host.toLowerCase()))
    return { ok: false, status: 403, reason: `host ${headers.host ?? '(none)'} is not this studio` };
  const origin = headers.origin;
  if (origin !== undefined && !allowedHosts.has(origin.toLowerCase().replace(/^http:\/\//, '')))
    return { ok: false, status: 403, reason: `origin ${origin} may not use the studio's API` };
  const type = (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (needsJson && method === 'POST' && type !== 'application/json')
    return { ok: false, status: 415, reason: 'API calls must be application/json' };
  return { ok: true };
}
