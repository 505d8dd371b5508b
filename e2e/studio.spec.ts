/**
 * The studio's whole journey in a real browser against the dev host: pick a source, load a clip,
 * trim it, see keypoints and the occlusion preview, render, and check the exported MP4.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { DATASETS, ffprobe, FIXTURES } from '../src-main/test-support/fixtures';

const SHOTS = path.resolve('build/screenshots');

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

test('the studio loads and lists the models from the backend', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Marionette' })).toBeVisible();
  const models = page.getByRole('list', { name: 'Models' });
  await expect(models.getByRole('button', { name: /tiny test model/ })).toHaveAttribute(
    'aria-pressed',
    'true',
  );
  await expect(models).toContainText('64×64 · 5 keypoints · bundled');
  expect(errors).toEqual([]);
});

test("pick, frame, trim, preview, render and export at the photo's size", async ({ page }) => {
  mkdirSync(SHOTS, { recursive: true });
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto('/');

  const source = page.getByRole('region', { name: 'Source image' });
  await source.getByRole('textbox', { name: 'Source' }).fill(PHOTO);
  await source.getByRole('button', { name: 'Load' }).click();
  await expect(source.getByRole('img', { name: 'Source' })).toBeVisible();
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

  const driving = page.getByRole('region', { name: 'Driving video' });
  await driving.getByRole('textbox', { name: 'Driving' }).fill(path.join(FIXTURES, 'driving.avi'));
  await driving.getByRole('button', { name: 'Load' }).click();
  await expect(driving.getByLabel('Filmstrip').locator('img')).toHaveCount(8);

  // Trim with the keyboard shortcuts at two playhead positions.
  const playhead = driving.getByRole('slider', { name: 'Playhead' });
  await playhead.fill('0.1');
  await playhead.press('i');
  await playhead.fill('0.4');
  await playhead.press('o');
  await expect(driving.getByLabel('Timecode')).toContainText('frames');
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
  const job = page.getByRole('list', { name: 'Render queue' }).getByRole('listitem').first();
  await expect(job).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  await expect(job).toContainText(outputPath);
  await page.screenshot({ path: path.join(SHOTS, 'studio-journey.png'), fullPage: true });

  const info = probe(outputPath);
  expect(info.codecs).toEqual(['h264', 'aac']);
  expect(info.pixFmt).toBe('yuv420p');
  // Pasted back into the 930x929 photo (even sides for H.264).
  expect(info.size).toEqual([930, 928]);
  expect(Math.abs(info.frames - framesInRange)).toBeLessThanOrEqual(1);
  expect(errors).toEqual([]);
});

test('bad input shows a readable message instead of freezing', async ({ page }) => {
  await page.goto('/');
  const driving = page.getByRole('region', { name: 'Driving video' });
  await driving.getByRole('textbox', { name: 'Driving' }).fill(path.join(FIXTURES, 'source.png'));
  await driving.getByRole('button', { name: 'Load' }).click();
  await expect(page.getByRole('alert')).toContainText('is a still image; pick a video');
  await driving.getByRole('textbox', { name: 'Driving' }).fill('/nonexistent/clip.mp4');
  await driving.getByRole('button', { name: 'Load' }).click();
  await expect(page.getByRole('alert')).toContainText('file not found');
  await expect(page.getByRole('heading', { name: 'Marionette' })).toBeVisible();
});

test('import a published-format checkpoint from the model manager', async ({ page }) => {
  await page.goto('/');
  const models = page.getByRole('list', { name: 'Models' });
  await expect(models.getByRole('button').first()).toBeVisible();
  const before = await models.getByRole('button').count();
  const field = page.getByRole('textbox', { name: 'Add a model' });

  // Not a checkpoint: a readable error, and the catalogue is unchanged.
  await field.fill(path.join(FIXTURES, 'source.png'));
  await page.getByRole('button', { name: 'Import' }).click();
  await expect(page.getByRole('alert')).toContainText('source.png');
  await expect(models.getByRole('button')).toHaveCount(before);

  await field.fill(path.join(FIXTURES, 'tiny-zip.pth.tar'));
  await page.getByRole('button', { name: 'Import' }).click();
  const imported = models.getByRole('button', { name: /tiny-zip\.pth\.tar/ });
  await expect(imported).toHaveAttribute('aria-pressed', 'true', { timeout: 30_000 });
  await expect(imported).toContainText('imported');
  await expect(models.getByRole('button')).toHaveCount(before + 1);
});

test('a batch of sources × clips queues one render per pair and all finish', async ({ page }) => {
  await page.goto('/');
  const batch = page.locator('details.batch');
  await batch.locator('summary').click();
  for (const file of ['source.png', 'source-is-frame-7.png']) {
    await batch.getByRole('textbox', { name: 'Batch source' }).fill(path.join(FIXTURES, file));
    await batch.getByRole('button', { name: 'Add' }).first().click();
  }
  await batch.getByRole('textbox', { name: 'Batch clip' }).fill(path.join(FIXTURES, 'driving-silent.avi'));
  await batch.getByRole('button', { name: 'Add' }).last().click();
  await expect(batch.getByRole('list', { name: 'Batch sources' }).getByRole('listitem')).toHaveCount(2);
  await batch.getByRole('button', { name: 'Queue 2 renders' }).click();
  const queue = page.getByRole('list', { name: 'Render queue' });
  for (const name of ['source__driving-silent.mp4', 'source-is-frame-7__driving-silent.mp4']) {
    await expect(queue.getByRole('listitem').filter({ hasText: name })).toHaveAttribute(
      'data-state',
      'done',
      {
        timeout: 60_000,
      },
    );
  }
});

test('dropping a file in a browser explains where drops work', async ({ page }) => {
  await page.goto('/');
  const dataTransfer = await page.evaluateHandle(() => {
    const dt = new DataTransfer();
    dt.items.add(new File(['not really'], 'face.png', { type: 'image/png' }));
    return dt;
  });
  await page.getByRole('region', { name: 'Source image' }).dispatchEvent('drop', { dataTransfer });
  await expect(page.getByRole('alert')).toContainText('Dropped files can be opened in the desktop app');
});
