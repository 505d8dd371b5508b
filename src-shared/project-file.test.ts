import { describe, expect, it } from 'vitest';
import { RenderSettingsSchema } from './job';
import { pairStem, parseProject, serializeProject, type ProjectDoc } from './project-file';

const doc: ProjectDoc = {
  modelId: 'face-128',
  sourcePath: '/photos/me.jpg',
  drivingPath: '/clips/talk.mp4',
  trimIn: 1.5,
  trimOut: 6,
  sourceCrop: { x: 10, y: 20, size: 300 },
  drivingCrop: null,
  drivingTrack: { size: 200, keys: [{ t: 1.5, x: 0, y: 4 }] },
  settings: RenderSettingsSchema.parse({ mode: 'absolute', crf: 22, pasteBack: true }),
  outputPath: '/renders/me__talk.mp4',
};

describe('project files', () => {
  it('round-trips a project', () => {
    const text = serializeProject(doc);
    expect(JSON.parse(text)).toMatchObject({ format: 'marionette-project', version: 1 });
    expect(parseProject(text, 'a.marionette')).toEqual(doc);
  });

  it('says what is wrong with a file that is not a project', () => {
    expect(() => parseProject('{"format": "marionette-pro', 'cut.marionette')).toThrow(
      'cut.marionette is not a Marionette project (not JSON)',
    );
    expect(() => parseProject('{"items": []}', 'queue.json')).toThrow(
      'queue.json is not a Marionette project',
    );
  });

  it('refuses a project from a newer version instead of guessing', () => {
    const text = serializeProject(doc).replace('"version": 1', '"version": 7');
    expect(() => parseProject(text, 'new.marionette')).toThrow(
      'new.marionette was saved by a newer Marionette (project version 7; this one reads up to 1)',
    );
  });

  it('names the damaged field', () => {
    const file = JSON.parse(serializeProject(doc));
    file.project.sourceCrop.size = -3;
    expect(() => parseProject(JSON.stringify(file), 'b.marionette')).toThrow(
      /^b\.marionette is damaged: project\.sourceCrop\.size: /,
    );
    file.project.sourceCrop.size = 300;
    file.project.trimOut = 1;
    expect(() => parseProject(JSON.stringify(file), 'b.marionette')).toThrow(
      'project.trimOut: trim out must be after trim in',
    );
  });

  it('names renders and projects after the photo and the clip', () => {
    expect(pairStem('/a/me.v2.jpg', 'C:\\clips\\talk.mp4')).toBe('me.v2__talk');
    expect(pairStem('/a/.hidden', null)).toBe('.hidden');
    expect(pairStem(null, null)).toBe('untitled');
  });
});
