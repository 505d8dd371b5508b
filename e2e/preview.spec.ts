/**
 * Preview = export: with paste-back on, the preview at the playhead is the frame the render
 * writes there (composited into the photo by the same code), with Before / Side by side to compare.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Locator } from '@playwright/test';
import { resolveBinary } from '../src-main/media/binaries';
import { DATASETS, ffprobe, FIXTURES } from '../src-main/test-support/fixtures';
import { loadClipAndTrim, loadPhoto, renderAndWait } from './journey';

const PHOTO = path.join(DATASETS, 'faces/source_images/avatarify_obama.jpg'); // 930x929, exported 930x928

function rgbOf(file: string, width: number, height: number): Uint8Array {
  const raw = execFileSync(
    resolveBinary('ffmpeg').path,
    [
      '-v',
      'error',
      '-i',
      file,
      '-vf',
      `scale=${width}:${height}`,
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      '-',
    ],
    { maxBuffer: 64 << 20 },
  );
  return new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
}

/** The pixels of an <img> as the page decoded them (RGB, at its natural size). */
async function imagePixels(image: Locator): Promise<{ width: number; height: number; rgb: number[] }> {
  return image.evaluate((img: HTMLImageElement) => {
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(img, 0, 0);
    const rgba = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    const rgb: number[] = [];
    for (let i = 0; i < rgba.length; i += 4) rgb.push(rgba[i]!, rgba[i + 1]!, rgba[i + 2]!);
    return { width: canvas.width, height: canvas.height, rgb };
  });
}

const meanAbs = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
};

test('with paste-back the preview is the exported frame, with Before and Side by side', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto('/');
  await loadPhoto(page, PHOTO);
  const driving = page.getByRole('region', { name: 'Driving video' });
  await driving.getByRole('textbox', { name: 'Driving' }).fill(path.join(FIXTURES, 'driving.avi'));
  await driving.getByRole('button', { name: 'Load' }).click();
  await expect(driving.getByLabel('Filmstrip').locator('img')).toHaveCount(8);

  await page.getByLabel('Paste back into the full photo').check();
  await page.getByLabel('Export as').selectOption('png-sequence');
  // Playhead on frame 9 of the whole clip (trim 0..end): the render's tenth frame.
  const playhead = driving.getByRole('slider', { name: 'Playhead' });
  await playhead.focus();
  await playhead.press('Home');
  for (let i = 0; i < 9; i++) await playhead.press('ArrowRight');
  await expect(page.getByLabel('Timecode')).toContainText('frame 9');

  const preview = page.getByRole('region', { name: /Preview/ });
  const composite = preview.getByRole('img', { name: 'Result (as exported)' });
  await expect(composite).toBeVisible({ timeout: 30_000 });
  await expect(preview.getByTestId('preview-images')).toHaveAttribute('data-stale', 'false');
  const shown = await imagePixels(composite);
  expect([shown.width, shown.height]).toEqual([930, 928]); // the export's size: even sides

  // B shows the photo before; Side by side shows both.
  await page.locator('body').press('b');
  await expect(preview.getByTestId('composite-view')).toHaveAttribute('data-view', 'before');
  const before = await imagePixels(preview.getByRole('img', { name: 'Before (the photo)' }));
  await preview.getByLabel('Side by side').check();
  await expect(preview.getByRole('img', { name: 'Result (as exported)' })).toBeVisible();
  await expect(preview.getByRole('img', { name: 'Before (the photo)' })).toBeVisible();

  const outputPath = await renderAndWait(page);
  const frames = readdirSync(outputPath)
    .filter((f) => f.endsWith('.png'))
    .sort();
  expect(frames.length).toBeGreaterThan(10);
  const exported = rgbOf(path.join(outputPath, frames[9]!), shown.width, shown.height);
  const other = rgbOf(path.join(outputPath, frames[2]!), shown.width, shown.height);
  const same = meanAbs(shown.rgb, exported);
  // The preview is that frame (PNG round trips are exact; what is left is the seek decode).
  expect(same).toBeLessThan(0.5);
  // ... and neither the photo nor another frame is.
  expect(meanAbs(before.rgb, exported)).toBeGreaterThan(same + 0.2);
  expect(meanAbs(other, exported)).toBeGreaterThan(same);
});

test('P renders a quick, small preview of the trimmed range and plays it in the preview pane', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await page.goto('/');
  await loadPhoto(page, PHOTO);
  const driving = await loadClipAndTrim(page, 0.1, 0.4);
  const framesInRange = Number(
    /(\d+) frames/.exec((await driving.getByLabel('Timecode').textContent()) ?? '')?.[1],
  );
  const previews = path.resolve('build/e2e-home/previews');
  const before = existsSync(previews) ? readdirSync(previews) : [];
  await page.locator('body').press('p');
  const range = page.getByLabel('Range preview', { exact: true });
  await expect(range).toHaveAttribute('data-state', 'done', { timeout: 90_000 });
  const video = range.getByLabel('Trimmed range preview');
  await expect
    .poll(() => video.evaluate((v: HTMLVideoElement) => v.readyState), { timeout: 20_000 })
    .toBeGreaterThan(0);
  const made = readdirSync(previews).filter((f) => !before.includes(f));
  expect(made).toHaveLength(1);
  const { streams } = ffprobe(path.join(previews, made[0]!));
  const stream = streams.find((s) => s.codec_type === 'video')!;
  expect(stream.codec_name).toBe('h264');
  // Paste-back (the studio's default) at most 360 px on its longer side, not the photo's 930.
  expect(Math.max(stream.width!, stream.height!)).toBeLessThanOrEqual(360);
  expect(Math.abs(Number(stream.nb_read_frames) - framesInRange)).toBeLessThanOrEqual(1);
  await range.getByRole('button', { name: 'Close range preview' }).click();
  await expect(range).toHaveCount(0);
});
