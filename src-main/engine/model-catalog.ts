/** Where model sets live: the ones shipped with the app and the ones a user imported. */
import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelManifest } from '../../src-shared/model-manifest.js';
import { dataHome } from '../media/app-dirs.js';
import { readManifest } from './model-set.js';

export const DEFAULT_MODEL = 'face-128';

/** Package root: dist/ sits one level below it, sources two levels. */
export function packageRoot(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return path.basename(here) === 'dist' ? path.dirname(here) : path.resolve(here, '..', '..');
}

/**
 * Where this process finds models: the bundled sets, the imported ones and the import templates.
 * Decided once at the process's edge (app start, CLI start) from its environment and handed down,
 * so nothing below reads the environment.
 */
export interface ModelPlaces {
  bundled: string;
  imported: string;
  templates: string;
}

export function modelPlaces(env: NodeJS.ProcessEnv = process.env): ModelPlaces {
  // Packaged app: electron-builder puts models and templates in resources/ (extraResources).
  const resources = (process as { resourcesPath?: string }).resourcesPath;
  const packaged = (name: string) =>
    resources && existsSync(path.join(resources, name)) ? path.join(resources, name) : null;
  return {
    bundled: env.MARIONETTE_BUNDLED_MODELS
      ? path.resolve(env.MARIONETTE_BUNDLED_MODELS)
      : (packaged('models') ?? path.join(packageRoot(), 'models', 'onnx')),
    imported: path.join(dataHome(env), 'models'),
    templates: env.MARIONETTE_TEMPLATES
      ? path.resolve(env.MARIONETTE_TEMPLATES)
      : (packaged('templates') ?? path.join(packageRoot(), 'models', 'templates')),
  };
}

export interface CatalogEntry {
  id: string;
  dir: string;
  origin: 'bundled' | 'imported';
  manifest: ModelManifest;
}

export interface CatalogProblem {
  dir: string;
  problem: string;
}

export async function listModels(
  places: ModelPlaces,
): Promise<{ models: CatalogEntry[]; problems: CatalogProblem[] }> {
  const models: CatalogEntry[] = [];
  const problems: CatalogProblem[] = [];
  for (const [root, origin] of [
    [places.bundled, 'bundled'],
    [places.imported, 'imported'],
  ] as const) {
    const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
    for (const id of entries
      .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
      .map((e) => e.name)
      .sort()) {
      const dir = path.join(root, id);
      try {
        models.push({ id, dir, origin, manifest: await readManifest(dir) });
      } catch (err) {
        problems.push({ dir, problem: (err as Error).message });
      }
    }
  }
  return { models, problems };
}

/** A model argument is a folder path or the id of a catalogued model. */
export async function resolveModelDir(spec: string | undefined, places: ModelPlaces): Promise<string> {
  const wanted = spec ?? DEFAULT_MODEL;
  if (wanted.includes('/') || wanted.includes(path.sep)) return path.resolve(wanted);
  const { models } = await listModels(places);
  const hit = models.find((m) => m.id === wanted);
  if (hit) return hit.dir;
  const known = models.map((m) => m.id).join(', ') || 'none';
  throw new Error(
    wanted === DEFAULT_MODEL
      ? `no model yet: the bundled model ${DEFAULT_MODEL} is not in ${places.bundled} (known models: ${known})`
      : `unknown model "${wanted}" (known models: ${known})`,
  );
}

/** An imported model, for removal: bundled models belong to the app and are refused. */
export async function importedModel(id: string, places: ModelPlaces): Promise<CatalogEntry> {
  const { models } = await listModels(places);
  const entry = models.find((m) => m.id === id && m.origin === 'imported');
  if (entry) return entry;
  throw new Error(
    models.some((m) => m.id === id)
      ? `model "${id}" comes with Marionette and cannot be removed`
      : `model "${id}" is not installed`,
  );
}

/** Delete an imported model's folder (its checkpoint can be imported again). */
export async function removeImportedModel(entry: CatalogEntry, places: ModelPlaces): Promise<void> {
  // Only ever a folder directly inside the imported-models folder.
  if (entry.origin !== 'imported' || path.dirname(entry.dir) !== places.imported)
    throw new Error(`model "${entry.id}" is not an imported model`);
  await rm(entry.dir, { recursive: true, force: true });
}
