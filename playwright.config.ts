import { defineConfig } from '@playwright/test';
import { chromiumPath, chromiumArgs } from './e2e/browser';

const PORT = 5399;
/** This run's dev-host secret: the browser tests send it as the header the host accepts. */
// Set once in the runner's process; its workers inherit the environment, so all agree on it.
process.env.MARIONETTE_E2E_TOKEN ??= `e2e-${process.pid}-${Date.now().toString(36)}`;
export const DEV_TOKEN = process.env.MARIONETTE_E2E_TOKEN;

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
    extraHTTPHeaders: { 'x-marionette-token': DEV_TOKEN },
  },
  projects: [
    { name: 'browser', testIgnore: /electron\.spec/ },
    { name: 'electron', testMatch: /electron\.spec/ },
  ],
  webServer: {
    // A fresh home each run: the queue persists across restarts by design.
    command: `node -e "require('fs').rmSync('build/e2e-home', { recursive: true, force: true })" && node dist/dev-host.mjs --port ${PORT}`,
    url: `http://127.0.0.1:${PORT}/healthz`,
    reuseExistingServer: false,
    env: {
      MARIONETTE_HOME: 'build/e2e-home',
      MARIONETTE_DEV_TOKEN: DEV_TOKEN,
      // The tiny fixture models; MARIONETTE_E2E_MODELS=models/onnx measures the editor with the bundled ones.
      MARIONETTE_BUNDLED_MODELS: process.env.MARIONETTE_E2E_MODELS ?? 'build/fixtures',
      MARIONETTE_TEMPLATES: 'build/fixtures/templates',
    },
  },
});
