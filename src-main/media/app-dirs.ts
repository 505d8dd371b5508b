/** Where Marionette keeps its own data (imported models, the partial-file journal). */
import os from 'node:os';
import path from 'node:path';

export function dataHome(): string {
  return path.resolve(
    process.env.MARIONETTE_HOME ??
      path.join(process.env.XDG_DATA_HOME ?? path.join(os.homedir(), '.local', 'share'), 'marionette'),
  );
}
