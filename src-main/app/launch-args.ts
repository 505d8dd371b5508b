/**
 * The project a launch asks to open: the desktop opens `.marionette` files with the app
 * (double-click, "Open with"), passing the file's path on the command line.
 */
import path from 'node:path';
import { PROJECT_EXTENSION } from '../../src-shared/project-file.js';

/** The first argument after the app's own that names a project file, made absolute; else null. */
export function projectFromArgv(argv: readonly string[], cwd: string): string | null {
  // argv[0] is the executable; in development argv[1] is the app's entry script.
  const hit = argv
    .slice(1)
    .find((arg) => !arg.startsWith('-') && path.extname(arg).toLowerCase() === PROJECT_EXTENSION);
  return hit ? path.resolve(cwd, hit) : null;
}
