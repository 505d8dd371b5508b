import { describe, expect, it } from 'vitest';
import { projectFromArgv } from './launch-args.js';

describe('projectFromArgv', () => {
  it('finds the project file the desktop passes, made absolute', () => {
    expect(projectFromArgv(['/opt/Marionette/marionette', 'talk.marionette'], '/home/me')).toBe(
      '/home/me/talk.marionette',
    );
    expect(
      projectFromArgv(['electron', 'dist/electron-main.mjs', '--no-sandbox', '/p/A.MARIONETTE'], '/x'),
    ).toBe('/p/A.MARIONETTE');
  });

  it('ignores switches, other files and a bare launch', () => {
    expect(projectFromArgv(['marionette', '--open=x.marionette', 'clip.mp4'], '/x')).toBeNull();
    expect(projectFromArgv(['marionette'], '/x')).toBeNull();
  });
});
