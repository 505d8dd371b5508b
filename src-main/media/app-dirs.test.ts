import path from 'node:path';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { dataHome, studioHome } from './app-dirs.js';

describe("Marionette's folders", () => {
  it("keeps the user's work and the app's own data apart, and MARIONETTE_HOME puts both in one place", () => {
    expect(studioHome({})).toBe(path.join(os.homedir(), 'Marionette'));
    expect(dataHome({})).toBe(path.join(os.homedir(), '.local', 'share', 'marionette'));
    expect(dataHome({ XDG_DATA_HOME: '/x/data' })).toBe('/x/data/marionette');
    expect(studioHome({ MARIONETTE_HOME: '/tmp/m' })).toBe('/tmp/m');
    expect(dataHome({ MARIONETTE_HOME: '/tmp/m' })).toBe('/tmp/m');
  });
});
