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

export function bundledModelsDir(): string {
  if (process.env.MARIONETTE_BUNDLED_MODELS) return path.resolve(process.env.MARIONETTE_BUNDLED_MODELS);
  // Packaged app: electron-builder puts the models in resources/models (extraResources).
  const resources = (process as { resourcesPath?: string }).resourcesPath;
  if (resources && existsSync(path.join(resources, 'models'))) return path.join(resources, 'models');
  return path.join(packageRoot(), 'models', 'onnx');
}

/** Weight-free architecture templates used to import published checkpoints. */
export function templatesDir(): string {
  if (process.env.MARIONETTE_TEMPLATES) return path.resolve(process.env.MARIONETTE_TEMPLATES);
  const resources = (process as { resourcesPath?: string }).resourcesPath;
  if (resources && existsSync(path.join(resources, 'templates'))) return path.join(resources, 'templates');
  return path.join(packageRoot(), 'models', 'templates');
}

export function userModelsDir(): string {
  return path.join(dataHome(), 'models');
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

export async function listModels(): Promise<{ models: CatalogEntry[]; problems: CatalogProblem[] }> {
  const models: CatalogEntry[] = [];
  const problems: CatalogProblem[] = [];
  for (const [root, origin] of [
    [bundledModelsDir(), 'bundled'],
    [userModelsDir(), 'imported'],
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
export async function resolveModelDir(spec: string | undefined): Promise<string> {
  const wanted = spec ?? DEFAULT_MODEL;
  if (wanted.includes('/') || wanted.includes(path.sep)) return path.resolve(wanted);
  const { models } = await listModels();
  const hit = models.find((m) => m.id === wanted);
  if (hit) return hit.dir;
  const known = models.map((m) => m.id).join(', ') || 'none';
  throw new Error(
    wanted === DEFAULT_MODEL
      ? `no model yet: the bundled model ${DEFAULT_MODEL} is not in ${bundledModelsDir()} (known models: ${known})`
      : `unknown model "${wanted}" (known models: ${known})`,
  );
}

/** An imported model, for removal: bundled models belong to the app and are refused. */
export async function importedModel(id: string): Promise<CatalogEntry> {
  const { models } = await listModels();
  const entry = models.find((m) => m.id === id && m.origin === 'imported');
  if (entry) return entry;
  throw new Error(
    models.some((m) => m.id === id)
      ? `model "${id}" comes with Marionette and cannot be removed`
      : `model "${id}" is not installed`,
  );
}

/** Delete an imported model's folder (its checkpoint can be imported again). */
export async function removeImportedModel(entry: CatalogEntry): Promise<void> {
  // Only ever a folder directly inside the imported-models folder.
  if (entry.origin !== 'imported' || path.dirname(entry.dir) !== userModelsDir())
    throw new Error(`model "${entry.id}" is not an imported model`);
  await rm(entry.dir, { recursive: true, force: true });
}
