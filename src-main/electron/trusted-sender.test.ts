import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  isAllowedExternal,
  isStudioPage,
  permissionGranted,
  studioAssetPath,
  STUDIO_URL,
} from './trusted-sender.js';

const renderer = '/opt/Marionette/resources/app.asar/dist/renderer';

describe('isStudioPage', () => {
  it("accepts the studio's own page, with a query or a hash", () => {
    expect(isStudioPage(STUDIO_URL)).toBe(true);
    expect(isStudioPage(`${STUDIO_URL}#/queue`)).toBe(true);
    expect(isStudioPage(`${STUDIO_URL}?x=1`)).toBe(true);
  });

  it('refuses any other page, scheme or host', () => {
    for (const url of [
      'https://evil.example/index.html',
      'file:///opt/Marionette/resources/app.asar/dist/renderer/index.html',
      'marionette://evil/index.html',
      'marionette://studio/other.html',
      'marionette-render://renders/x.mp4',
      'devtools://devtools/bundled/x.html',
      'not a url',
      undefined,
    ])
      expect(isStudioPage(url), String(url)).toBe(false);
  });
});

describe('studioAssetPath', () => {
  it('serves files inside the renderer folder', () => {
    expect(studioAssetPath(STUDIO_URL, renderer)).toBe(path.join(renderer, 'index.html'));
    expect(studioAssetPath('marionette://studio/assets/index-abc.js', renderer)).toBe(
      path.join(renderer, 'assets', 'index-abc.js'),
    );
  });
  it('never leaves it, whatever the dots and escapes', () => {
    for (const url of [
      'marionette://studio/../package.json',
      'marionette://studio/%2e%2e/%2e%2e/etc/passwd',
      'marionette://studio/..%2f..%2fetc%2fpasswd',
      'marionette://studio/a/../../../../x',
    ]) {
      const file = studioAssetPath(url, renderer);
      expect(file === null || file.startsWith(`${renderer}/`), `${url} -> ${file}`).toBe(true);
    }
  });
  it('refuses other hosts, schemes, bad escapes and the bare folder', () => {
    for (const url of [
      'marionette://other/index.html',
      'file:///etc/passwd',
      'marionette://studio/%E0%A4%A',
      'marionette://studio/',
    ])
      expect(studioAssetPath(url, renderer), url).toBeNull();
  });
});

describe('isAllowedExternal', () => {
  it('opens only https links to the allow-listed hosts', () => {
    expect(isAllowedExternal('https://github.com/AliaksandrSiarohin/first-order-model')).toBe(true);
    expect(isAllowedExternal('https://arxiv.org/abs/2003.00196')).toBe(true);
    for (const url of [
      'http://github.com/x',
      'https://evil.example/',
      'https://github.com.evil.example/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'https://user:pw@github.com/',
      'smb://host/share',
    ])
      expect(isAllowedExternal(url), url).toBe(false);
  });
});

describe('permissionGranted', () => {
  it('grants the camera and microphone to the studio page only, and nothing else to anyone', () => {
    expect(permissionGranted('media', STUDIO_URL, ['video', 'audio'])).toBe(true);
    expect(permissionGranted('media', STUDIO_URL, ['video'])).toBe(true);
    expect(permissionGranted('media', STUDIO_URL, [])).toBe(true); // a check before any request
    expect(permissionGranted('media', 'https://example.com/', ['video'])).toBe(false);
    expect(permissionGranted('media', 'marionette://other/index.html', ['audio'])).toBe(false);
    expect(permissionGranted('media', undefined, ['video'])).toBe(false);
    expect(permissionGranted('media', STUDIO_URL, ['video', 'screen'])).toBe(false);
    for (const other of [
      'geolocation',
      'notifications',
      'clipboard-read',
      'display-capture',
      'midi',
      'openExternal',
    ])
      expect(permissionGranted(other, STUDIO_URL, []), other).toBe(false);
  });
});
