import { describe, expect, it } from 'vitest';
import {
  EXPORT_FORMATS,
  ExportFormatSchema,
  resolveExportFormat,
  withFormatExtension,
} from './export-format.js';

describe('export formats', () => {
  it('take the container from the extension', () => {
    expect(resolveExportFormat('a/b.mp4', null)).toEqual({ format: 'h264' });
    expect(resolveExportFormat('a/b.MOV', null)).toEqual({ format: 'prores-hq' });
    expect(resolveExportFormat('b.webm', null)).toEqual({ format: 'webm' });
    expect(resolveExportFormat('b.gif', null)).toEqual({ format: 'gif' });
    expect(resolveExportFormat('b.mkv', null)).toEqual({ format: 'lossless' });
  });
  it('refuse an extension that names no container, with what would work', () => {
    expect(resolveExportFormat('b.txt', null)).toEqual({
      error: expect.stringMatching(/cannot write a "\.txt" file: name the output \.mp4/),
    });
    expect(resolveExportFormat('frames', null)).toEqual({
      error: expect.stringMatching(/no extension.*PNG sequence/),
    });
  });
  it('make an explicit format agree with the name', () => {
    expect(resolveExportFormat('b.mkv', 'h264')).toEqual({ format: 'h264' });
    expect(resolveExportFormat('b.mp4', 'h265')).toEqual({ format: 'h265' });
    expect(resolveExportFormat('b.mp4', 'webm')).toEqual({
      error: 'webm output must be named with .webm, not ".mp4"',
    });
    expect(resolveExportFormat('frames', 'png-sequence')).toEqual({ format: 'png-sequence' });
    expect(resolveExportFormat('frames.png', 'png-sequence')).toEqual({
      error: expect.stringMatching(/a folder name/),
    });
  });
  it('rename an output for a format, and every format round-trips', () => {
    expect(withFormatExtension('x/talk.mp4', 'webm')).toBe('x/talk.webm');
    expect(withFormatExtension('x/talk.mp4', 'png-sequence')).toBe('x/talk');
    expect(withFormatExtension('x/talk.mkv', 'h264')).toBe('x/talk.mkv');
    for (const format of ExportFormatSchema.options) {
      expect(resolveExportFormat(withFormatExtension('x/talk.mp4', format), format)).toEqual({ format });
      expect(EXPORT_FORMATS[format].label).toBeTruthy();
    }
  });
});
