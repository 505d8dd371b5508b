/**
 * Before the unit tests: bundle the engine worker (the child-process tests run the real bundle)
 * and generate the model fixtures with models/ when they are missing or older than their script.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES } from './fixtures.js';

export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs', '--no-renderer'], { stdio: 'inherit' });
  const script = 'models/scripts/make_fixtures.py';
  const stamp = path.join(FIXTURES, 'reference.json');
  if (!existsSync(stamp) || statSync(stamp).mtimeMs < statSync(script).mtimeMs) {
    execFileSync('/usr/bin/python3', [script, FIXTURES], { stdio: 'inherit' });
  }
}
