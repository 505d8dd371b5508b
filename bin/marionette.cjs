#!/usr/bin/env node
// Launcher for the bundled CLI (build it with `npm run build`).
import('../dist/cli.mjs').catch((err) => {
  console.error(`marionette: cannot start (${err.message}); run "npm run build" first`);
  process.exitCode = 1;
});
