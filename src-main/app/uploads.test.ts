import { createReadStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DRIVING, SOURCE, tempDir } from '../test-support/fixtures.js';
import { saveUpload, uploadName } from './uploads.js';

const uploads = (home: string) =>
  existsSync(path.join(home, 'uploads')) ? readdirSync(path.join(home, 'uploads')) : [];

describe('browser uploads', () => {
  it('keeps a photo and a clip in their own folders under the home, byte for byte', async () => {
    const home = tempDir();
    const photo = await saveUpload(home, 'face.png', 'image', createReadStream(SOURCE));
    const clip = await saveUpload(home, 'talk.avi', 'video', createReadStream(DRIVING));
    expect(path.basename(photo)).toBe('face.png');
    expect(path.dirname(path.dirname(photo))).toBe(path.join(home, 'uploads'));
    expect(path.dirname(photo)).not.toBe(path.dirname(clip));
    expect(readFileSync(photo).equals(readFileSync(SOURCE))).toBe(true);
    expect(readdirSync(path.dirname(clip))).toEqual(['talk.avi']); // no partial left beside it
  });

  it('refuses what is not a photo or clip, too large, or empty, and leaves nothing behind', async () => {
    const home = tempDir();
    await expect(saveUpload(home, 'notes.txt', 'image', Readable.from([Buffer.from('x')]))).rejects.toThrow(
      /not a photo/,
    );
    await expect(
      saveUpload(home, 'fake.jpg', 'image', Readable.from([Buffer.from('just text, not a JPEG')])),
    ).rejects.toThrow();
    await expect(
      saveUpload(home, 'big.png', 'image', createReadStream(SOURCE), { image: 100 }),
    ).rejects.toThrow(/larger than/);
    await expect(saveUpload(home, 'none.png', 'image', Readable.from([]))).rejects.toThrow(/empty/);
    await expect(
      saveUpload(home, 'model.pth', 'checkpoint', Readable.from([Buffer.from('x')])),
    ).rejects.toThrow(/only photos and clips/);
    expect(uploads(home)).toEqual([]);
  });

  it('reduces a name to one safe file name', () => {
    expect(uploadName('../../etc/passwd.png')).toBe('passwd.png');
    expect(uploadName('C:\\Users\\me\\face.jpg')).toBe('face.jpg');
    expect(uploadName('..hidden.png')).toBe('hidden.png');
    expect(uploadName('a\u0000b.png')).toBe('a_b.png');
    expect(() => uploadName('...')).toThrow(/no usable name/);
  });
});
