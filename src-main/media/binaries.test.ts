import { mkdtempSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  candidatesFor,
  findOnPath,
  isExecutableFile,
  MediaToolMissingError,
  pickExecutable,
  resolveBinary,
  unpackedPath,
} from './binaries.js';

describe('pickExecutable', () => {
  const exec = new Set(['/opt/static/ffmpeg', '/usr/bin/ffmpeg']);
  const isExec = (p: string) => exec.has(p);
  it('takes the first executable candidate in order', () => {
    expect(
      pickExecutable(
        [
          { source: 'FFMPEG_PATH', path: undefined },
          { source: 'ffmpeg-static', path: '/missing/ffmpeg' },
          { source: '@ffmpeg-installer/ffmpeg', path: '/opt/static/ffmpeg' },
          { source: 'PATH', path: '/usr/bin/ffmpeg' },
        ],
        isExec,
      ),
    ).toEqual({ source: '@ffmpeg-installer/ffmpeg', path: '/opt/static/ffmpeg' });
  });
  it('prefers an explicit env var', () => {
    expect(
      pickExecutable(
        [
          { source: 'FFMPEG_PATH', path: '/usr/bin/ffmpeg' },
          { source: 'x', path: '/opt/static/ffmpeg' },
        ],
        isExec,
      )?.source,
    ).toBe('FFMPEG_PATH');
  });
  it('returns undefined when nothing is executable', () => {
    expect(pickExecutable([{ source: 'PATH', path: null }], isExec)).toBeUndefined();
  });
});

describe('file checks', () => {
  it('skips a file without the exec bit and finds it on PATH once executable', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mario-bin-'));
    const file = path.join(dir, 'ffmpeg');
    writeFileSync(file, '#!/bin/sh\n');
    chmodSync(file, 0o644);
    expect(isExecutableFile(file)).toBe(false);
    expect(findOnPath('ffmpeg', dir)).toBeNull();
    chmodSync(file, 0o755);
    expect(findOnPath('ffmpeg', dir)).toBe(file);
    expect(candidatesFor('ffmpeg', { PATH: dir, FFMPEG_PATH: '/nope' }).map((c) => c.source)).toEqual([
      'FFMPEG_PATH',
      'ffmpeg-static',
      '@ffmpeg-installer/ffmpeg',
      'PATH',
    ]);
  });
  it('maps asar paths to the unpacked folder', () => {
    expect(unpackedPath(`/app/resources/app.asar${path.sep}node_modules/x/ffmpeg`)).toBe(
      `/app/resources/app.asar.unpacked${path.sep}node_modules/x/ffmpeg`,
    );
  });
  it('names what it tried when nothing is found', () => {
    const err = new MediaToolMissingError('ffprobe', [
      { source: 'FFPROBE_PATH', path: undefined },
      { source: 'PATH', path: null },
    ]);
    expect(err.message).toMatch(/ffprobe not found \(tried FFPROBE_PATH, PATH\).*FFPROBE_PATH/);
  });
  it('resolves real binaries on this machine', () => {
    expect(isExecutableFile(resolveBinary('ffmpeg').path)).toBe(true);
    expect(isExecutableFile(resolveBinary('ffprobe').path)).toBe(true);
  });
});
