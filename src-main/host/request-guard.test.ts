import { describe, expect, it } from 'vitest';
import { checkRequest } from './request-guard.js';

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
