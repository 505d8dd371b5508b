import path from 'node:path';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { cacheHome, dataHome, studioHome } from './app-dirs.js';

describe("Marionette's folders", () => {
  it("keeps the user's work and the app's own data apart, and MARIONETTE_HOME puts both in one place", () => {
    expect(studioHome({})).toBe(path.join(os.homedir(), 'Marionette'));
    expect(dataHome({})).toBe(path.join(os.homedir(), '.local', 'share', 'marionette'));
    expect(dataHome({ XDG_DATA_HOME: '/x/data' })).toBe('/x/data/marionette');
    expect(studioHome({ MARIONETTE_HOME: '/tmp/m' })).toBe('/tmp/m');
    expect(dataHome({ MARIONETTE_HOME: '/tmp/m' })).toBe('/tmp/m');
  });

  it('keeps what can be rebuilt (optimised graphs) in the cache folder', () => {
    expect(cacheHome({})).toBe(path.join(os.homedir(), '.cache', 'marionette'));
    expect(cacheHome({ XDG_CACHE_HOME: '/x/cache' })).toBe('/x/cache/marionette');
    expect(cacheHome({ MARIONETTE_HOME: '/tmp/m' })).toBe('/tmp/m/cache');
  });
});
