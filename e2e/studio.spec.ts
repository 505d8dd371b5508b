/**
 * The studio's whole journey in a real browser against the dev host: pick a source, load a clip,
 * trim it, see keypoints and the occlusion preview, render, and check the exported MP4.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { FIXTURES } from '../src-main/test-support/fixtures';
import { loadClipAndTrim, studioJourney } from './journey';

const SHOTS = path.resolve('build/screenshots');

test('the studio loads and lists the models from the backend', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Marionette' })).toBeVisible();
  // A first start explains what to do, and Render says what it waits for.
  await expect(page.getByRole('region', { name: 'Getting started' })).toContainText(
    'Animate a photo in three steps',
  );
  await expect(page.getByTestId('render-why')).toHaveText('Step 1: pick a photo (Source image)');
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, 'first-run.png') });
  const models = page.getByRole('list', { name: 'Models' });
  await expect(models.getByRole('button', { name: /tiny test model/ })).toHaveAttribute(
    'aria-pressed',
    'true',
  );
  await expect(models).toContainText('64×64 · 5 keypoints · bundled');
  // The selected model's manifest: its weights and how it was trained.
  await page.getByText('About tiny test model').click();
  const about = page.getByLabel('About tiny test model');
  await expect(about).toContainText('Weightstrained (fixture)');
  await expect(about).toContainText('Training steps120');
  expect(errors).toEqual([]);
});

test("pick, frame, trim, preview, render and export at the photo's size", async ({ page }) => {
  mkdirSync(SHOTS, { recursive: true });
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto('/');

  await studioJourney(page, path.join(SHOTS, 'studio-journey.png'));
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

test('import a published-format checkpoint from the model manager, then remove it', async ({ page }) => {
  await page.goto('/');
  const models = page.getByRole('list', { name: 'Models' });
  await expect(models.getByRole('listitem').first()).toBeVisible();
  const before = await models.getByRole('listitem').count();
  const field = page.getByRole('textbox', { name: 'Add a model' });

  // Not a checkpoint: a readable error, and the catalogue is unchanged.
  await field.fill(path.join(FIXTURES, 'source.png'));
  await page.getByRole('button', { name: 'Import' }).click();
  await expect(page.getByRole('alert')).toContainText('source.png');
  await expect(models.getByRole('listitem')).toHaveCount(before);

  await field.fill(path.join(FIXTURES, 'tiny-zip.pth.tar'));
  await page.getByRole('button', { name: 'Import' }).click();
  const imported = models.getByRole('button', { name: /^tiny-zip\.pth\.tar/ });
  await expect(imported).toHaveAttribute('aria-pressed', 'true', { timeout: 30_000 });
  await expect(imported).toContainText('imported');
  await expect(models.getByRole('listitem')).toHaveCount(before + 1);
  // Bundled models cannot be removed; the imported one can, after a confirmation.
  await expect(models.getByRole('button', { name: /^Remove tiny test model/ })).toHaveCount(0);
  page.once('dialog', (dialog) => void dialog.accept());
  await models.getByRole('button', { name: 'Remove tiny-zip.pth.tar' }).click();
  await expect(models.getByRole('listitem')).toHaveCount(before);
  await expect(models.getByRole('button', { name: /^tiny test model/ })).toHaveAttribute(
    'aria-pressed',
    'true',
  );
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

test('a batch list takes several picked files at once', async ({ page }) => {
  await page.goto('/');
  const batch = page.locator('details.batch');
  await batch.locator('summary').click();
  await batch
    .getByLabel('Pick photos to upload')
    .setInputFiles([path.join(FIXTURES, 'source.png'), path.join(FIXTURES, 'source-is-frame-7.png')]);
  const sources = batch.getByRole('list', { name: 'Batch sources' }).getByRole('listitem');
  await expect(sources).toHaveCount(2);
  await expect(sources.first()).toContainText('source.png');
  await expect(sources.last()).toContainText('source-is-frame-7.png');
});

test('in a browser, a dropped or picked file is uploaded and opens; a bad one is refused beside its field', async ({
  page,
}) => {
  await page.goto('/');
  const source = page.getByRole('region', { name: 'Source image' });
  // A real photo dropped on the Source panel: its bytes go to the host's uploads folder.
  const photo = readFileSync(path.join(FIXTURES, 'source.png')).toString('base64');
  const dataTransfer = await page.evaluateHandle((b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], 'dropped face.png', { type: 'image/png' }));
    return dt;
  }, photo);
  await source.dispatchEvent('drop', { dataTransfer });
  const field = source.getByRole('textbox', { name: 'Source' });
  await expect(field).toHaveValue(/e2e-home\/uploads\/[^/]+\/dropped face\.png$/);
  await expect(source.getByRole('img', { name: 'Source', exact: true })).toBeVisible();
  const uploaded = await field.inputValue();
  expect(readFileSync(uploaded).equals(readFileSync(path.join(FIXTURES, 'source.png')))).toBe(true);

  // Pick a file… does the same for a clip.
  const driving = page.getByRole('region', { name: 'Driving video' });
  await driving.getByLabel('Pick a clip to upload').setInputFiles(path.join(FIXTURES, 'driving.avi'));
  await expect(driving.getByRole('textbox', { name: 'Driving' })).toHaveValue(
    /uploads\/[^/]+\/driving\.avi$/,
  );
  await expect(driving.getByLabel('Filmstrip').locator('img')).toHaveCount(8);

  // Not a photo: refused beside the field, the good photo kept, nothing left in uploads.
  const before = readdirSync(path.resolve('build/e2e-home/uploads')).length;
  await source.getByLabel('Pick a photo to upload').setInputFiles({
    name: 'fake.png',
    mimeType: 'image/png',
    buffer: Buffer.from('not really a png'),
  });
  await expect(source.getByRole('alert', { name: 'Source error' })).toBeVisible();
  await expect(field).toHaveValue(uploaded);
  expect(readdirSync(path.resolve('build/e2e-home/uploads'))).toHaveLength(before);
});

test('save a project, reload, open it: files, trim, framing and settings come back', async ({ page }) => {
  await page.goto('/');
  const source = page.getByRole('region', { name: 'Source image' });
  await source.getByRole('textbox', { name: 'Source' }).fill(path.join(FIXTURES, 'source.png'));
  await source.getByRole('button', { name: 'Load' }).click();
  const cropBox = source.getByRole('slider', { name: 'Source crop box' });
  await expect(source.getByTestId('source-framing')).toHaveText('centred (not a face model)');
  await cropBox.focus();
  for (let i = 0; i < 4; i++) await cropBox.press('-');
  await cropBox.press('ArrowDown');
  const crop = (await cropBox.getAttribute('data-crop'))!;

  const driving = await loadClipAndTrim(page, 0.2, 0.5);
  const timecode = (await driving.getByLabel('Timecode').textContent())!.replace(/^.*?· in/, '· in');
  await page.getByLabel('Motion').selectOption('absolute');
  await expect(cropBox).toHaveAttribute('data-crop', crop);

  const project = page.getByRole('textbox', { name: 'Project' });
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  const saved = path.resolve('build/e2e-home/projects/source__driving.marionette');
  await expect(page.getByRole('status').filter({ hasText: 'Saved' })).toHaveText(`Saved ${saved}`);
  await expect(project).toHaveValue(saved);

  await page.reload();
  await expect(source.getByRole('textbox', { name: 'Source' })).toHaveValue('');
  // Reopen it from the recent projects.
  await page.getByLabel('Recent projects').selectOption(saved);
  await expect(page.getByRole('status').filter({ hasText: 'Opened' })).toHaveText(`Opened ${saved}`);
  await expect(source.getByRole('textbox', { name: 'Source' })).toHaveValue(
    path.join(FIXTURES, 'source.png'),
  );
  await expect(driving.getByRole('textbox', { name: 'Driving' })).toHaveValue(
    path.join(FIXTURES, 'driving.avi'),
  );
  await expect(driving.getByLabel('Timecode')).toContainText(timecode.trim());
  await expect(page.getByLabel('Motion')).toHaveValue('absolute');
  // Automatic framing ran for the reopened files, and the saved crop still stands.
  await expect(source.getByLabel('Source keypoints')).toHaveAttribute('data-keypoints', '5');
  await expect(cropBox).toHaveAttribute('data-crop', crop);

  // A file that is not a project: a readable message, and the studio keeps what it has.
  await project.fill(path.join(FIXTURES, 'source.png'));
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText('source.png is not a Marionette project (not JSON)');
  await expect(driving.getByRole('textbox', { name: 'Driving' })).toHaveValue(
    path.join(FIXTURES, 'driving.avi'),
  );
});

test('the studio autosaves, and after a reload offers the last session and restores it', async ({ page }) => {
  await page.goto('/');
  const source = page.getByRole('region', { name: 'Source image' });
  await source.getByRole('textbox', { name: 'Source' }).fill(path.join(FIXTURES, 'source-is-frame-7.png'));
  await source.getByRole('button', { name: 'Load' }).click();
  const driving = await loadClipAndTrim(page, 0.1, 0.3);
  const timecode = (await driving.getByLabel('Timecode').textContent())!.replace(/^.*?· in/, '· in').trim();
  // Autosave writes a second after the last change. An earlier autosave (after the photo, before
  // the clip or its trim) may already be on disk, so wait for the one that holds all of them.
  const session = path.resolve('build/e2e-home/session.marionette');
  const saved = (): string => {
    if (!existsSync(session)) return '';
    type Saved = {
      sourcePath: string | null;
      drivingPath: string | null;
      trimIn: number;
      trimOut: number | null;
    };
    let project: Saved;
    try {
      ({ project } = JSON.parse(readFileSync(session, 'utf8')) as { project: Saved });
    } catch {
      return ''; // caught mid-write: ask again
    }
    return [
      path.basename(project.sourcePath ?? ''),
      path.basename(project.drivingPath ?? ''),
      project.trimIn > 0 && project.trimOut !== null ? 'trimmed' : 'untrimmed',
    ].join(' ');
  };
  await expect.poll(saved, { timeout: 10_000 }).toBe('source-is-frame-7.png driving.avi trimmed');

  await page.reload();
  const offer = page.getByRole('region', { name: 'Last session' });
  await expect(offer).toBeVisible();
  await offer.getByRole('button', { name: 'Restore it' }).click();
  await expect(offer).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: 'Restored' })).toHaveText(
    'Restored the last session',
  );
  await expect(source.getByRole('textbox', { name: 'Source' })).toHaveValue(
    path.join(FIXTURES, 'source-is-frame-7.png'),
  );
  await expect(driving.getByLabel('Timecode')).toContainText(timecode);
  // Restored, not opened: the project has no file name yet.
  await expect(page.getByRole('textbox', { name: 'Project' })).toHaveValue('');
});

test("the dev host answers only a page holding this launch's token", async ({ browser }) => {
  const base = 'http://127.0.0.1:5399';
  // A page without the token (another program, another site): refused everywhere.
  const stranger = await browser.newContext({ extraHTTPHeaders: {} });
  const page = await stranger.newPage();
  const refused = await page.goto(`${base}/`);
  expect(refused?.status()).toBe(403);
  expect(
    await page.request
      .post(`${base}/api/invoke`, { data: { method: 'listModels', args: [] } })
      .then((r) => r.status()),
  ).toBe(403);
  expect(await page.request.get(`${base}/renders/x.mp4`).then((r) => r.status())).toBe(403);
  // The launch link sets the cookie, drops the token from the address, and the studio works.
  const opened = await page.goto(`${base}/?token=${process.env.MARIONETTE_E2E_TOKEN}`);
  expect(opened?.status()).toBe(200);
  expect(page.url()).toBe(`${base}/`);
  expect(opened?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
  await expect(page.getByRole('heading', { name: 'Marionette' })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Models' }).getByRole('listitem').first()).toBeVisible();
  await stranger.close();
});
