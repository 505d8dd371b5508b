/** The same journey in the real Electron app, where an Electron binary is installed. */
import { existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { _electron as electron, expect, test } from '@playwright/test';
import { studioJourney } from './journey';

function electronBinary(): string | null {
  try {
    const binary = createRequire(import.meta.url)('electron') as unknown;
    return typeof binary === 'string' && existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

const binary = electronBinary();
const HOME = 'build/e2e-home-electron';

test('the desktop app: the whole studio journey in the real window', async () => {
  test.skip(
    !binary,
    'Electron binary not installed (its download is unavailable offline); browser tests cover the renderer',
  );
  rmSync(HOME, { recursive: true, force: true });
  const app = await electron.launch({
    executablePath: binary!,
    args: ['dist/electron-main.mjs', '--no-sandbox'],
    env: {
      ...process.env,
      MARIONETTE_HOME: HOME,
      MARIONETTE_BUNDLED_MODELS: 'build/fixtures',
      MARIONETTE_TEMPLATES: 'build/fixtures/templates',
    },
  });
  try {
    const window = await app.firstWindow();
    await expect(window.getByRole('heading', { name: 'Marionette' })).toBeVisible();
    await expect(window.getByRole('button', { name: /tiny test model/ })).toBeVisible();
    await studioJourney(window, 'build/screenshots/electron-journey.png');
  } finally {
    await app.close();
  }
});
