import { describe, expect, it } from 'vitest';
import { parseRedisUrl, redisLabel } from './farm';

describe('Redis addresses for the farm', () => {
  it('accepts redis:// and rediss:// with host, port and database, and labels them without a password', () => {
    expect(redisLabel(parseRedisUrl('redis://:secret@render-box:6380/2'))).toBe('redis://render-box:6380/2');
    expect(redisLabel(parseRedisUrl('rediss://farm.example'))).toBe('rediss://farm.example:6379');
  });
  it('refuses what is not one, saying how to write it', () => {
    expect(() => parseRedisUrl('render-box:6379')).toThrow(/must start with redis:\/\//);
    expect(() => parseRedisUrl('http://render-box')).toThrow(/must start with redis:\/\//);
    expect(() => parseRedisUrl('nonsense')).toThrow(/write it as redis:\/\/HOST:PORT/);
    expect(() => parseRedisUrl('redis://box/db')).toThrow(/database after the port is a number/);
  });
});
