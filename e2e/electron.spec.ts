/** The same journey in the real Electron app, where an Electron binary is installed. */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { _electron as electron, expect, test } from '@playwright/test';

function electronBinary(): string | null {
  try {
    const binary = createRequire(import.meta.url)('electron') as unknown;
    return typeof binary === 'string' && existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

const binary = electronBinary();

test('the desktop app opens its window and lists the models', async () => {
  test.skip(
    !binary,
    'Electron binary not installed (its download is unavailable offline); browser tests cover the renderer',
  );
  const app = await electron.launch({
    executablePath: binary!,
    args: ['dist/electron-main.mjs', '--no-sandbox'],
    env: { ...process.env, MARIONETTE_HOME: 'build/e2e-home', MARIONETTE_BUNDLED_MODELS: 'build/fixtures' },
  });
  const window = await app.firstWindow();
  await expect(window.getByRole('heading', { name: 'Marionette' })).toBeVisible();
  await expect(window.getByRole('button', { name: /tiny test model/ })).toBeVisible();
  await app.close();
});
