/**
 * Drive with the camera: Chromium's fake camera plays a real clip from ../shared (made into the
 * Y4M and WAV it reads), the live preview follows its frames, Set neutral takes effect, and a
 * recorded take opens as the driving clip, plays, trims and renders to an MP4 with sound.
 * (Named to run after the studio's own tests: its session and renders stay in the shared e2e home.)
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { DATASETS, ffmpeg, ffprobe, SOURCE } from '../src-main/test-support/fixtures';
import { chromiumArgs, chromiumPath } from './browser';
import { loadPhoto, renderAndWait } from './journey';

const CLIP = path.join(DATASETS, 'faces/driving_videos/other/WDA_KatieHill_000.mp4');
const PHOTO = path.join(DATASETS, 'faces/source_images/avatarify_obama.jpg');
const DIR = path.resolve('build/e2e-camera');
const Y4M = path.join(DIR, 'camera.y4m');
const WAV = path.join(DIR, 'microphone.wav');

// Made before the browser starts: the camera is a landscape 320x240 (the studio takes its centred square).
mkdirSync(DIR, { recursive: true });
ffmpeg(
  '-ss',
  '1',
  '-t',
  '4',
  '-i',
  CLIP,
  '-vf',
  'scale=240:240,pad=320:240:40:0,fps=25',
  '-pix_fmt',
  'yuv420p',
  Y4M,
);
ffmpeg('-ss', '1', '-t', '4', '-i', CLIP, '-vn', '-ac', '1', '-ar', '48000', '-c:a', 'pcm_s16le', WAV);

test.use({
  launchOptions: {
    executablePath: chromiumPath(),
    args: [
      ...chromiumArgs,
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-video-capture=${Y4M}`,
      `--use-file-for-fake-audio-capture=${WAV}`,
    ],
  },
});

/** The live result's pixels, as the page drew them. */
const livePixels = (page: Page) =>
  page.getByRole('img', { name: 'Live result' }).evaluate((c: HTMLCanvasElement) => c.toDataURL());

test('the camera drives the photo live, and a recorded take renders with its sound', async ({ page }) => {
  await page.goto('/');
  // The tiny fixture model barely moves a real photo; the bench (bundled models) animates a real one.
  await loadPhoto(page, process.env.MARIONETTE_E2E_MODELS ? PHOTO : SOURCE);
  const driving = page.getByRole('region', { name: 'Driving video' });
  await driving.getByRole('button', { name: 'Use camera…' }).click();
  const stats = driving.getByTestId('live-stats');
  await expect(stats).toContainText(/[1-9][\d.]* fps · \d+ ms camera → screen/, { timeout: 30_000 });
  await expect(stats).toContainText('neutral: first frame');

  // The preview follows the camera: its pixels change as the fake camera's frames do (the model's
  // own square: pasted back into a photo, the tiny fixture model's small motion may round away).
  const pasteBack = driving.getByRole('checkbox', { name: /Paste back into the photo/ });
  await pasteBack.uncheck();
  const first = await livePixels(page);
  await expect.poll(() => livePixels(page), { timeout: 30_000 }).not.toBe(first);

  await driving.getByRole('button', { name: 'Set neutral' }).click();
  await expect(stats).toContainText('neutral: set');

  // The live measure (`npm run bench:live` runs this with the bundled models): 4 s of preview at the
  // model's resolution, then 4 s pasted back into the photo (which turns itself off if too slow).
  const measure = async (mode: string) => {
    await page.waitForTimeout(4000);
    const text = (await stats.textContent()) ?? '';
    const [, fps, latency, engine, size] =
      /([\d.]+) fps · (\d+) ms camera → screen \(engine (\d+) ms\) · (\d+×\d+)/.exec(text)!;
    return {
      mode,
      fps: Number(fps),
      latencyMs: Number(latency),
      engineMs: Number(engine),
      size,
      pastedBack: text.includes('pasted back'),
    };
  };
  await pasteBack.uncheck();
  const square = await measure('model square');
  await pasteBack.check();
  const pasted = await measure('pasted back');
  const measured = { model: await page.locator('.model-name').textContent(), runs: [square, pasted] };
  console.log(`live preview: ${JSON.stringify(measured)}`);
  mkdirSync('build/test-results', { recursive: true });
  writeFileSync('build/test-results/live-preview.json', `${JSON.stringify(measured, null, 2)}\n`);
  mkdirSync('build/screenshots', { recursive: true });
  await page.screenshot({ path: 'build/screenshots/camera.png' });

  await driving.getByRole('button', { name: 'Record take' }).click();
  await expect(driving.getByRole('button', { name: /Stop recording \(2\.\d s\)/ })).toBeVisible({
    timeout: 10_000,
  });
  await driving.getByRole('button', { name: /Stop recording/ }).click();

  // The take opens as the driving clip: constant 30 fps, with sound, in the studio's takes folder.
  const field = driving.getByRole('textbox', { name: 'Driving' });
  await expect(field).toHaveValue(/[\\/]takes[\\/]take-\d{4}-\d{2}-\d{2}-\d{6}\.mp4$/, { timeout: 60_000 });
  await expect(driving.getByText(/30\.000 fps · [23]\.\d\d s · audio/)).toBeVisible();
  const take = await field.inputValue();
  expect(ffprobe(take).streams.map((s) => s.codec_name)).toEqual(['h264', 'aac']);
  expect(readdirSync(path.dirname(take)).filter((n) => n.includes('.partial'))).toEqual([]);

  // It plays in the clip player.
  const player = driving.getByLabel('Driving clip player');
  await expect
    .poll(() => player.evaluate((v: HTMLVideoElement) => v.readyState), { timeout: 15_000 })
    .toBeGreaterThanOrEqual(2);

  // It trims and renders like any clip, with its sound.
  const playhead = driving.getByRole('slider', { name: 'Playhead' });
  await playhead.fill('0.5');
  await playhead.press('i');
  await playhead.fill('1.5');
  await playhead.press('o');
  const output = await renderAndWait(page);
  const streams = ffprobe(output).streams;
  expect(streams.map((s) => s.codec_name)).toEqual(['h264', 'aac']);
  const video = streams.find((s) => s.codec_type === 'video')!;
  expect(Math.abs(Number(video.nb_read_frames) - 30)).toBeLessThanOrEqual(1);

  // The take survives a reload: the studio offers the session back, take included.
  await page.waitForTimeout(1500); // the autosave runs a second after the last change
  await page.reload();
  await page.getByRole('button', { name: 'Restore it' }).click();
  await expect(
    page.getByRole('region', { name: 'Driving video' }).getByRole('textbox', { name: 'Driving' }),
  ).toHaveValue(take);
  await expect(page.getByText(/30\.000 fps · [23]\.\d\d s · audio/)).toBeVisible();
});
