import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { queuedItem } from '../../src-shared/api.js';
import { JobSpecSchema } from '../../src-shared/job.js';
import { tempDir } from '../test-support/fixtures.js';
import { mediaReply, renderedFile, renderJobId } from './render-media.js';

const job = JobSpecSchema.parse({
  modelDir: '/m',
  sourcePath: '/s',
  drivingPath: '/d',
  outputPath: '/o.mp4',
});

describe('render playback', () => {
  it('reads the job id from both player URLs, and nothing else', () => {
    expect(renderJobId('/renders/3f2a-b9.mp4')).toBe('3f2a-b9');
    expect(renderJobId(`${new URL('marionette-render://renders/3f2a-b9.mp4').host}/3f2a-b9.mp4`)).toBe(
      '3f2a-b9',
    );
    expect(renderJobId('/renders/../etc/passwd.mp4')).toBeNull();
    expect(renderJobId('/renders/a.mp4?x')).toBeNull();
    expect(renderJobId('/index.html')).toBeNull();
  });

  it('serves only jobs that are done, by id', () => {
    const items = [
      { ...queuedItem('a', job), state: 'done' as const, outputPath: '/renders/a.mp4' },
      { ...queuedItem('b', job), state: 'running' as const },
    ];
    expect(renderedFile(items, 'a')).toBe('/renders/a.mp4');
    expect(renderedFile(items, 'b')).toBeNull();
    expect(renderedFile(items, '../../etc/passwd')).toBeNull();
  });

  it('answers ranges with 206 and the bytes asked for, the whole file with 200, and refuses the rest', async () => {
    const file = path.join(tempDir(), 'r.mp4');
    writeFileSync(file, '0123456789');
    const whole = await mediaReply(file, undefined);
    expect(whole.status).toBe(200);
    expect(whole.headers).toMatchObject({ 'content-length': '10', 'accept-ranges': 'bytes' });
    expect(await text(whole.body!)).toBe('0123456789');
    const part = await mediaReply(file, 'bytes=3-5');
    expect(part.status).toBe(206);
    expect(part.headers).toMatchObject({ 'content-range': 'bytes 3-5/10', 'content-length': '3' });
    expect(await text(part.body!)).toBe('345');
    expect(await text((await mediaReply(file, 'bytes=-2')).body!)).toBe('89');
    const beyond = await mediaReply(file, 'bytes=10-');
    expect([beyond.status, beyond.headers['content-range'], beyond.body]).toEqual([416, 'bytes */10', null]);
    expect((await mediaReply(path.join(tempDir(), 'gone.mp4'), undefined)).status).toBe(404);
    expect((await mediaReply(null, 'bytes=0-1')).status).toBe(404);
  });
});
