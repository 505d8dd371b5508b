import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RenderSettingsSchema } from '../../src-shared/job.js';
import { serializeProject, type ProjectDoc } from '../../src-shared/project-file.js';
import { DRIVING, SOURCE, tempDir } from '../test-support/fixtures.js';
import { openProjectFile, saveProjectFile, sessionFiles, takeLastSession } from './project-files.js';

const project = (overrides: Partial<ProjectDoc> = {}): ProjectDoc => ({
  modelId: 'tiny',
  sourcePath: SOURCE,
  drivingPath: DRIVING,
  trimIn: 0.2,
  trimOut: null,
  sourceCrop: { x: 1, y: 2, size: 40 },
  drivingCrop: { x: 0, y: 0, size: 48 },
  drivingTrack: null,
  settings: RenderSettingsSchema.parse({}),
  outputPath: '/tmp/x.mp4',
  ...overrides,
});

describe('project files on disk', () => {
  it('saves with the .marionette extension and opens what it saved', async () => {
    const dir = tempDir();
    const written = await saveProjectFile(path.join(dir, 'talk'), project());
    expect(written).toBe(path.join(dir, 'talk.marionette'));
    expect(readdirSync(dir)).toEqual(['talk.marionette']);
    expect(await openProjectFile(written)).toEqual({ project: project(), missing: [] });
  });

  it('never writes over a file that is not a project', async () => {
    const dir = tempDir();
    const clip = path.join(dir, 'talk.mp4');
    writeFileSync(clip, 'video bytes');
    expect(await saveProjectFile(clip, project())).toBe(`${clip}.marionette`);
    expect(readFileSync(clip, 'utf8')).toBe('video bytes');
  });

  it('replaces a project whole and leaves no partial file', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'p.marionette');
    await saveProjectFile(file, project());
    await saveProjectFile(file, project({ trimIn: 0.4 }));
    expect(readdirSync(dir)).toEqual(['p.marionette']);
    expect((await openProjectFile(file)).project.trimIn).toBe(0.4);
  });

  it('refuses to save into a folder that does not exist, and writes nothing', async () => {
    const dir = tempDir();
    await expect(saveProjectFile(path.join(dir, 'gone', 'p.marionette'), project())).rejects.toThrow(
      /cannot save the project: folder .*gone does not exist/,
    );
    expect(readdirSync(dir)).toEqual([]);
  });

  it('finds media that moved with the project, and reports media that is gone', async () => {
    const moved = tempDir();
    const photo = path.join(moved, path.basename(SOURCE));
    copyFileSync(SOURCE, photo);
    const file = await saveProjectFile(
      path.join(moved, 'p'),
      project({ sourcePath: '/old/place/' + path.basename(SOURCE), drivingPath: '/old/place/clip.mp4' }),
    );
    const opened = await openProjectFile(file);
    expect(opened.project.sourcePath).toBe(photo);
    expect(opened.project.sourceCrop).toEqual({ x: 1, y: 2, size: 40 });
    // The clip is nowhere: it is dropped with its crop, and named.
    expect(opened.project.drivingPath).toBeNull();
    expect(opened.project.drivingCrop).toBeNull();
    expect(opened.missing).toEqual(['/old/place/clip.mp4']);
  });

  it('gives a readable error for a missing, damaged, foreign or huge file, and leaves it as it was', async () => {
    const dir = tempDir();
    await expect(openProjectFile(path.join(dir, 'none.marionette'))).rejects.toThrow(
      /project file not found: .*none\.marionette/,
    );
    const damaged = path.join(dir, 'damaged.marionette');
    const text = serializeProject(project()).slice(0, 80);
    writeFileSync(damaged, text);
    await expect(openProjectFile(damaged)).rejects.toThrow(
      'damaged.marionette is not a Marionette project (not JSON)',
    );
    expect(readFileSync(damaged, 'utf8')).toBe(text);
    await expect(openProjectFile(DRIVING)).rejects.toThrow('is not a Marionette project');
    const huge = path.join(dir, 'huge.marionette');
    writeFileSync(huge, Buffer.alloc(2 << 20, 32));
    await expect(openProjectFile(huge)).rejects.toThrow(/is too large \(2097152 bytes\)/);
    mkdirSync(path.join(dir, 'folder.marionette'));
    await expect(openProjectFile(path.join(dir, 'folder.marionette'))).rejects.toThrow('is not a file');
  });

  it("offers the previous run's session, and this run's autosave cannot overwrite it", async () => {
    const home = tempDir();
    const { current, previous } = sessionFiles(home);
    expect(await takeLastSession(home)).toBeNull();
    await saveProjectFile(current, project({ trimIn: 0.1 }));
    // A new run: the autosaved session is set aside and offered.
    expect(await takeLastSession(home)).toBe(previous);
    await saveProjectFile(current, project({ trimIn: 0.3 }));
    expect((await openProjectFile(previous)).project.trimIn).toBe(0.1);
    // The next run offers the newest session.
    expect(await takeLastSession(home)).toBe(previous);
    expect((await openProjectFile(previous)).project.trimIn).toBe(0.3);
    expect(readdirSync(home)).toEqual(['last-session.marionette']);
  });
});
