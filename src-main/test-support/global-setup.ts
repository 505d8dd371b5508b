/**
 * Before the unit tests: bundle the engine worker and the CLI (the child-process tests run the
 * real bundle) and generate the model fixtures with models/ — each only when what it is made
 * from changed since it was made, so running one renderer test starts at once.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES } from './fixtures.js';

/** The newest modification time under these files and folders (0 when none exist). */
export function newestChange(
  paths: readonly string[],
  skip: RegExp = /node_modules|__pycache__|\.test\.tsx?$/,
): number {
  let newest = 0;
  const visit = (p: string) => {
    if (skip.test(p) || !existsSync(p)) return;
    const info = statSync(p);
    if (info.isDirectory()) for (const name of readdirSync(p)) visit(path.join(p, name));
    else newest = Math.max(newest, info.mtimeMs);
  };
  paths.forEach(visit);
  return newest;
}

/** True when an output is missing or older than anything it is made from. */
export function stale(outputs: readonly string[], inputs: readonly string[]): boolean {
  if (!outputs.every((o) => existsSync(o))) return true;
  const oldest = Math.min(...outputs.map((o) => statSync(o).mtimeMs));
  return oldest < newestChange(inputs);
}

export default function setup(): void {
  const bundles = ['dist/cli.mjs', 'dist/engine-worker.mjs', 'dist/import-worker.mjs'];
  if (stale(bundles, ['src-main', 'src-shared', 'scripts/build.mjs', 'package-lock.json']))
    execFileSync(process.execPath, ['scripts/build.mjs', '--no-renderer'], { stdio: 'inherit' });
  const script = 'models/scripts/make_fixtures.py';
  if (stale([path.join(FIXTURES, 'reference.json')], [script, 'models/fomm']))
    execFileSync('/usr/bin/python3', [script, FIXTURES], { stdio: 'inherit' });
}
