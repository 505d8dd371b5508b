/** Files like a desktop app: the browser's folder browser shows what each photo and clip is. */
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { DATASETS } from '../src-main/test-support/fixtures';

test('the folder browser shows each clip with its first frame and duration, in natural order, and Esc closes it', async ({
  page,
}) => {
  await page.goto('/');
  const driving = page.getByRole('region', { name: 'Driving video' });
  await driving.getByRole('button', { name: 'Browse…' }).click();
  const browser = page.getByRole('dialog', { name: 'Choose a file' });
  await expect(browser).toBeVisible();
  // Walk to the LivePortrait clips (the browser starts at the last folder, else home).
  const folder = path.join(DATASETS, 'faces/driving_videos/liveportrait');
  await page.evaluate((dir) => localStorage.setItem('marionette.folder.video', dir), folder);
  await page.keyboard.press('Escape');
  await expect(browser).toHaveCount(0);
  await driving.getByRole('button', { name: 'Browse…' }).click();
  await expect(browser.locator('header')).toContainText('liveportrait');
  const names = await browser.getByRole('listitem').allTextContents();
  const clips = names.map((n) => /lp_d\d+/.exec(n)?.[0]).filter(Boolean);
  expect(clips.indexOf('lp_d3')).toBeLessThan(clips.indexOf('lp_d10'));
  const row = browser.getByRole('listitem').filter({ hasText: 'lp_d10.mp4' });
  await expect(row.locator('.entry-preview img')).toHaveAttribute('src', /^data:image\/png;base64,/, {
    timeout: 30_000,
  });
  await expect(row.locator('.entry-duration')).toHaveText(/^0:1[45]$/); // 448 frames at 30 fps
  await row.getByRole('button').click();
  await expect(browser).toHaveCount(0);
  await expect(driving.getByRole('textbox', { name: 'Driving' })).toHaveValue(
    path.join(folder, 'lp_d10.mp4'),
  );
});
