/**
 * Marionette's two folders, decided here only:
 *
 * - `studioHome()`, the user's: renders, projects, the session autosave, range previews and
 *   browser uploads (`~/Marionette`), where people look for their work;
 * - `dataHome()`, the app's own: imported models and the partial-file journal
 *   (`$XDG_DATA_HOME/marionette`, by default `~/.local/share/marionette`).
 *
 * `MARIONETTE_HOME` puts both in one folder (tests, portable installs).
 */
import os from 'node:os';
import path from 'node:path';

export function studioHome(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.MARIONETTE_HOME ?? path.join(os.homedir(), 'Marionette'));
}

export function dataHome(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(
    env.MARIONETTE_HOME ??
      path.join(env.XDG_DATA_HOME ?? path.join(os.homedir(), '.local', 'share'), 'marionette'),
  );
}
