import { describe, expect, it } from 'vitest';
import { fileKindOf } from './file-kinds.js';

describe('file kinds', () => {
  it('names each file by its extension, case-insensitively', () => {
    expect(fileKindOf('face.JPG')).toBe('image');
    expect(fileKindOf('talk.mp4')).toBe('video');
    expect(fileKindOf('vox-cpk.pth.tar')).toBe('checkpoint');
    expect(fileKindOf('a.marionette')).toBe('project');
    expect(fileKindOf('notes.txt')).toBeNull();
    expect(fileKindOf('README')).toBeNull();
    expect(fileKindOf('.mp4')).toBe('video');
  });
});
