import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isStudioPage } from './trusted-sender.js';

const index = '/opt/Marionette/resources/app.asar/dist/renderer/index.html';

describe('isStudioPage', () => {
  it("accepts the studio's own page, with a query or a hash", () => {
    expect(isStudioPage(pathToFileURL(index).href, index)).toBe(true);
    expect(isStudioPage(`${pathToFileURL(index).href}#/queue`, index)).toBe(true);
  });

  it('refuses any other page, scheme or file', () => {
    expect(isStudioPage('https://evil.example/index.html', index)).toBe(false);
    expect(isStudioPage('file:///tmp/index.html', index)).toBe(false);
    expect(
      isStudioPage(pathToFileURL('/opt/Marionette/resources/app.asar/dist/renderer/../x.html').href, index),
    ).toBe(false);
    expect(isStudioPage(undefined, index)).toBe(false);
    expect(isStudioPage('devtools://devtools/bundled/x.html', index)).toBe(false);
  });
});
