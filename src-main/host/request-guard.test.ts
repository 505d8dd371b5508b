import { describe, expect, it } from 'vitest';
import { checkRequest, checkSession, SESSION_COOKIE } from './request-guard.js';

const json = { 'content-type': 'application/json' };

describe('dev host request guard', () => {
  it("lets the studio's own page call the API", () => {
    expect(
      checkRequest('POST', { host: '127.0.0.1:5317', origin: 'http://127.0.0.1:5317', ...json }, 5317, true),
    ).toEqual({
      ok: true,
    });
    expect(checkRequest('POST', { host: 'localhost:5317', ...json }, 5317, true).ok).toBe(true);
    expect(checkRequest('GET', { host: '127.0.0.1:5317' }, 5317, false).ok).toBe(true);
  });

  it('refuses other sites, rebound host names and non-JSON posts', () => {
    expect(
      checkRequest('POST', { host: '127.0.0.1:5317', origin: 'https://evil.example', ...json }, 5317, true),
    ).toMatchObject({
      ok: false,
      status: 403,
    });
    expect(checkRequest('POST', { host: 'evil.example:5317', ...json }, 5317, true)).toMatchObject({
      status: 403,
    });
    expect(checkRequest('POST', { host: '127.0.0.1:9999', ...json }, 5317, true)).toMatchObject({
      status: 403,
    });
    expect(checkRequest('POST', {}, 5317, true)).toMatchObject({ status: 403 });
    expect(
      checkRequest(
        'POST',
        { host: '127.0.0.1:5317', 'content-type': 'text/plain;charset=UTF-8' },
        5317,
        true,
      ),
    ).toMatchObject({ status: 415 });
  });
});

describe('dev host session secret', () => {
  const secret = 'Zk3m0Q-launch-secret';
  it('takes uploads only as octet-stream bytes from the page itself (a cross-site form cannot send them)', () => {
    const own = { host: '127.0.0.1:5317', origin: 'http://127.0.0.1:5317' };
    const bytes = { 'content-type': 'application/octet-stream' };
    expect(checkRequest('POST', { ...own, ...bytes }, 5317, true, true)).toEqual({ ok: true });
    expect(
      checkRequest('POST', { ...own, 'content-type': 'multipart/form-data' }, 5317, true, true),
    ).toMatchObject({
      status: 415,
    });
    expect(checkRequest('POST', { ...own, ...json }, 5317, true, true)).toMatchObject({ status: 415 });
    expect(
      checkRequest(
        'POST',
        { host: '127.0.0.1:5317', origin: 'https://evil.example', ...bytes },
        5317,
        true,
        true,
      ),
    ).toMatchObject({ status: 403 });
  });

  it('lets in the page with the cookie or the header, nothing else', () => {
    expect(checkSession('/api/invoke', { cookie: `a=1; ${SESSION_COOKIE}=${secret}` }, secret)).toEqual({
      kind: 'ok',
    });
    expect(checkSession('/renders/x.mp4', { 'x-marionette-token': secret }, secret)).toEqual({ kind: 'ok' });
    for (const headers of [
      {},
      { cookie: `${SESSION_COOKIE}=wrong` },
      { cookie: `${SESSION_COOKIE}=${secret}x` },
      { 'x-marionette-token': '' },
    ])
      expect(checkSession('/', headers, secret).kind).toBe('refused');
  });
  it('turns the launch link into an HttpOnly, SameSite=Strict cookie and drops the token from the address', () => {
    const verdict = checkSession(`/?token=${secret}&x=1`, {}, secret);
    expect(verdict).toEqual({
      kind: 'login',
      location: '/?x=1',
      setCookie: `${SESSION_COOKIE}=${secret}; HttpOnly; SameSite=Strict; Path=/`,
    });
    expect(checkSession('/?token=guess', {}, secret)).toMatchObject({
      kind: 'refused',
      reason: 'wrong studio token',
    });
  });
});
