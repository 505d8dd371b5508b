import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test-support/fixtures.js';
import { MAX_RECENT, RecentProjects } from './recent-projects.js';

describe('recent projects', () => {
  it('keeps the newest first, once each, at most ten, and only files that still exist', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'recent-projects.json');
    const project = (n: number) => {
      const p = path.join(dir, `p${n}.marionette`);
      writeFileSync(p, '{}');
      return p;
    };
    const recent = new RecentProjects(file);
    await recent.load();
    for (let n = 0; n < 12; n++) await recent.add(project(n));
    await recent.add(path.join(dir, 'p5.marionette'));
    expect(recent.list()).toHaveLength(MAX_RECENT);
    expect(
      recent
        .list()
        .slice(0, 3)
        .map((p) => path.basename(p)),
    ).toEqual(['p5.marionette', 'p11.marionette', 'p10.marionette']);
    rmSync(path.join(dir, 'p11.marionette'));
    expect(recent.list().map((p) => path.basename(p))).not.toContain('p11.marionette');

    const again = new RecentProjects(file);
    await again.load();
    expect(again.list()).toEqual(recent.list());
  });

  it('starts afresh from a damaged list instead of failing', async () => {
    const file = path.join(tempDir(), 'recent-projects.json');
    writeFileSync(file, '{"version": 1, "paths": [');
    const recent = new RecentProjects(file);
    await recent.load();
    expect(recent.list()).toEqual([]);
    await recent.add(file); // any existing file will do
    expect(JSON.parse(readFileSync(file, 'utf8')).paths).toEqual([file]);
  });
});
