import { cpSync, mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TINY_MODEL } from '../test-support/fixtures.js';
import {
  importedModel,
  listModels,
  modelPlaces,
  removeImportedModel,
  resolveModelDir,
} from './model-catalog.js';

describe('model places', () => {
  it('are read from the environment it is given, not the process', () => {
    const places = modelPlaces({
      MARIONETTE_HOME: '/m',
      MARIONETTE_BUNDLED_MODELS: '/b',
      MARIONETTE_TEMPLATES: '/t',
    });
    expect(places).toEqual({ bundled: '/b', imported: '/m/models', templates: '/t' });
    const defaults = modelPlaces({ XDG_DATA_HOME: '/x' });
    expect(defaults.imported).toBe('/x/marionette/models');
    expect(defaults.bundled.endsWith(path.join('models', 'onnx'))).toBe(true);
    expect(defaults.templates.endsWith(path.join('models', 'templates'))).toBe(true);
  });

  it('list, resolve and remove models only in the places handed in', async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'places-'));
    const places = { bundled: path.join(home, 'b'), imported: path.join(home, 'i'), templates: home };
    mkdirSync(places.bundled);
    mkdirSync(places.imported);
    cpSync(TINY_MODEL, path.join(places.bundled, 'shipped'), { recursive: true });
    cpSync(TINY_MODEL, path.join(places.imported, 'mine'), { recursive: true });
    const { models } = await listModels(places);
    expect(models.map((m) => [m.id, m.origin])).toEqual([
      ['shipped', 'bundled'],
      ['mine', 'imported'],
    ]);
    expect(await resolveModelDir('mine', places)).toBe(path.join(places.imported, 'mine'));
    await expect(resolveModelDir('other', places)).rejects.toThrow(
      'unknown model "other" (known models: shipped, mine)',
    );
    await expect(importedModel('shipped', places)).rejects.toThrow('comes with Marionette');
    await removeImportedModel(await importedModel('mine', places), places);
    expect((await listModels(places)).models.map((m) => m.id)).toEqual(['shipped']);
  });
});
