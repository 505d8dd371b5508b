/**
 * Marionette's folders, decided here only:
 *
 * - `studioHome()`, the user's: renders, projects, the session autosave, range previews and
 *   browser uploads (`~/Marionette`), where people look for their work;
 * - `dataHome()`, the app's own: imported models and the partial-file journal
 *   (`$XDG_DATA_HOME/marionette`, by default `~/.local/share/marionette`);
 * - `cacheHome()`, what can be rebuilt at any time: optimised model graphs
 *   (`$XDG_CACHE_HOME/marionette`, by default `~/.cache/marionette`). Deleting it loses nothing.
 *
 * `MARIONETTE_HOME` puts them all in one folder (tests, portable installs), the cache in its `cache`.
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

export function cacheHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MARIONETTE_HOME) return path.resolve(env.MARIONETTE_HOME, 'cache');
  return path.resolve(env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'marionette');
}
