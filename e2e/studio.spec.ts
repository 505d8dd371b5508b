import { expect, test } from '@playwright/test';

test('the studio loads in a browser and lists the models from the backend', async ({ page }) => {
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
