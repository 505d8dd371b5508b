import { defineConfig } from '@playwright/test';
import { chromiumPath, chromiumArgs } from './e2e/browser';

const PORT = 5399;

export default defineConfig({
  testDir: 'e2e',
  timeout: 120_000,
  workers: 1,
  reporter: [['list'], ['json', { outputFile: 'build/test-results/playwright.json' }]],
  outputDir: 'build/test-results/playwright',
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    launchOptions: { executablePath: chromiumPath(), args: chromiumArgs },
    screenshot: 'only-on-failure',
  },
  projects: [
    { name: 'browser', testIgnore: /electron\.spec/ },
    { name: 'electron', testMatch: /electron\.spec/ },
  ],
  webServer: {
    // A fresh home each run: the queue persists across restarts by design.
    command: `node -e "require('fs').rmSync('build/e2e-home', { recursive: true, force: true })" && node dist/dev-host.mjs --port ${PORT}`,
    url: `http://127.0.0.1:${PORT}/`,
    reuseExistingServer: false,
    env: {
      MARIONETTE_HOME: 'build/e2e-home',
      MARIONETTE_BUNDLED_MODELS: 'build/fixtures',
      MARIONETTE_TEMPLATES: 'build/fixtures/templates',
    },
  },
});
