/**
 * The studio's main journey, shared by the browser tests (dev host) and the Electron tests (the
 * real app): pick a photo, frame it, load a clip, trim, preview, render, and check the MP4.
 */
import path from 'node:path';
import { expect, type Locator, type Page } from '@playwright/test';
import { DATASETS, ffprobe, FIXTURES } from '../src-main/test-support/fixtures';

/** A real photo read in place from ../shared (930x929): paste-back must keep its size. */
const PHOTO = path.join(DATASETS, 'faces/source_images/avatarify_obama.jpg');

function probe(file: string): { frames: number; codecs: string[]; pixFmt: string; size: number[] } {
  const { streams } = ffprobe(file);
  const video = streams.find((s) => s.codec_type === 'video')!;
  return {
    frames: Number(video.nb_read_frames),
    codecs: streams.map((s) => s.codec_name),
    pixFmt: video.pix_fmt ?? '',
    size: [video.width ?? 0, video.height ?? 0],
  };
}

/** Press Render and wait until this render (found by its output's name in the shared queue) is done. */
export async function renderAndWait(page: Page, timeout = 90_000): Promise<string> {
  const outputPath = await page.getByLabel('Output file').inputValue();
  await page.getByRole('button', { name: 'Render' }).click();
  const job = page
    .getByRole('list', { name: 'Render queue' })
    .getByRole('listitem')
    .filter({ hasText: path.basename(outputPath) });
  await expect(job).toHaveAttribute('data-state', 'done', { timeout });
  return outputPath;
}

/** Open a photo in the Source panel and wait until it shows. */
export async function loadPhoto(page: Page, file: string): Promise<Locator> {
  const source = page.getByRole('region', { name: 'Source image' });
  await source.getByRole('textbox', { name: 'Source' }).fill(file);
  await source.getByRole('button', { name: 'Load' }).click();
  await expect(source.getByRole('img', { name: 'Source', exact: true })).toBeVisible();
  return source;
}

/** Load the test clip and trim it with the keyboard shortcuts at two playhead positions. */
export async function loadClipAndTrim(page: Page, trimIn: number, trimOut: number): Promise<Locator> {
  const driving = page.getByRole('region', { name: 'Driving video' });
  await driving.getByRole('textbox', { name: 'Driving' }).fill(path.join(FIXTURES, 'driving.avi'));
  await driving.getByRole('button', { name: 'Load' }).click();
  await expect(driving.getByLabel('Filmstrip').locator('img')).toHaveCount(8);
  const playhead = driving.getByRole('slider', { name: 'Playhead' });
  await playhead.fill(String(trimIn));
  await playhead.press('i');
  await playhead.fill(String(trimOut));
  await playhead.press('o');
  await expect(driving.getByLabel('Timecode')).toContainText('frames');
  return driving;
}

export async function studioJourney(page: Page, screenshot?: string): Promise<void> {
  const source = page.getByRole('region', { name: 'Source image' });
  await source.getByRole('textbox', { name: 'Source' }).fill(PHOTO);
  await source.getByRole('button', { name: 'Load' }).click();
  await expect(source.getByRole('img', { name: 'Source', exact: true })).toBeVisible();
  await expect(source.getByLabel('Source keypoints')).toHaveAttribute('data-keypoints', '5');

  // Framing: the test model is not a face model, so the proposal is the centred square; the user
  // then shrinks and moves it with the keyboard, and the preview follows the new crop.
  await expect(source.getByTestId('source-framing')).toHaveText('centred (not a face model)');
  const cropBox = source.getByRole('slider', { name: 'Source crop box' });
  await expect(cropBox).toHaveAttribute('data-crop', '0,0,929');
  await cropBox.focus();
  for (let i = 0; i < 10; i++) await cropBox.press('-');
  for (let i = 0; i < 5; i++) await cropBox.press('ArrowRight');
  const edited = (await cropBox.getAttribute('data-crop'))!.split(',').map(Number);
  expect(edited[2]).toBeLessThan(929);
  expect(edited[0]).toBeGreaterThan(0);
  await expect(
    source.getByText(`model sees a ${edited[2]}px square at (${edited[0]}, ${edited[1]})`),
  ).toBeVisible();

  const driving = await loadClipAndTrim(page, 0.1, 0.4);
  const trimText = await driving.getByLabel('Timecode').textContent();
  const framesInRange = Number(/(\d+) frames/.exec(trimText ?? '')?.[1]);
  expect(framesInRange).toBeGreaterThan(5);
  expect(framesInRange).toBeLessThan(16);

  // Keypoints on the driving frame, and the result / occlusion / deformation previews.
  await expect(driving.getByLabel('Driving frame keypoints')).toHaveAttribute('data-keypoints', '5');
  const preview = page.getByRole('region', { name: /Preview/ });
  await expect(preview.getByRole('img', { name: 'Result' })).toBeVisible();
  await expect(preview.getByRole('img', { name: 'Occlusion map' })).toBeVisible();
  await expect(preview.getByRole('img', { name: 'Deformation' })).toBeVisible();

  const output = page.getByLabel('Output file');
  await expect(output).toHaveValue(/renders\/avatarify_obama__driving\.mp4$/);
  const outputPath = await output.inputValue();
  // Loading the clip framed the clip, and left the user's source crop alone.
  await expect(cropBox).toHaveAttribute('data-crop', edited.join(','));
  await page.getByRole('button', { name: 'Render' }).click();
  // The queue is the dev host's, shared by every test of the run: find this render by its output.
  const job = page
    .getByRole('list', { name: 'Render queue' })
    .getByRole('listitem')
    .filter({ hasText: outputPath });
  await expect(job).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  if (screenshot) {
    // A window tall enough for the whole studio, so the pinned render bar sits at its bottom.
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.setViewportSize({ width: 1280, height: Math.min(2000, height) });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: screenshot });
  }

  // Watch it in the studio: the player streams the job's MP4 and can seek (byte ranges).
  await job.getByRole('button', { name: 'Watch' }).click();
  const player = job.getByLabel('Render avatarify_obama__driving.mp4');
  await expect
    .poll(() => player.evaluate((v: HTMLVideoElement) => v.readyState), { timeout: 20_000 })
    .toBeGreaterThan(0);
  const playable = await player.evaluate((v: HTMLVideoElement) => ({
    error: v.error?.code ?? null,
    duration: v.duration,
    seekableEnd: v.seekable.length ? v.seekable.end(0) : 0,
  }));
  expect(playable.error).toBeNull();
  expect(playable.seekableEnd).toBeCloseTo(playable.duration, 1);

  const info = probe(outputPath);
  expect(info.codecs).toEqual(['h264', 'aac']);
  expect(info.pixFmt).toBe('yuv420p');
  // Pasted back into the 930x929 photo (even sides for H.264).
  expect(info.size).toEqual([930, 928]);
  expect(Math.abs(info.frames - framesInRange)).toBeLessThanOrEqual(1);
}
