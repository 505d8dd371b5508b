/**
 * Turns a published FOMM checkpoint into the app's ONNX model set, with no Python: the checkpoint's
 * key/shape signature picks an architecture template (models/templates/<arch>: weight-free graphs
 * + recipe.json from models/fomm/export_template.py), and the recipe says how to compute each
 * initializer — copy a tensor or fold a convolution with its BatchNorm. Weights are streamed into
 * `<graph>.weights` one tensor at a time, inside a temporary folder renamed into place at the end.
 */
import {
  MODEL_FILE_NAME,
  modelSubject,
  subjectFromFileName,
  type ModelSubject,
} from '../../src-shared/model-manifest.js';
import { unknownArchitectureSentence } from '../../src-shared/checkpoint/architecture.js';
import { existsSync } from 'node:fs';
import {
  copyFile,
  mkdir,
  mkdtemp,
  open,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import path from 'node:path';
import { PyTuple, type PyValue, type TensorRef } from '../../src-shared/checkpoint/pickle.js';
import { freeModelId, modelIdFromFileName, modelIdProblem } from '../../src-shared/model-id.js';
import { toFloat16 } from '../../src-shared/checkpoint/float16.js';
import { fileSource, readCheckpoint, readFloatTensor, type Checkpoint } from './torch-checkpoint.js';

export class ImportError extends Error {
  override name = 'ImportError';
}

type Rule = { copy: string } | { fold: { conv: string; bn: string; part: 'weight' | 'bias' } };

interface InitializerRecipe {
  name: string;
  dims: number[];
  rule: Rule;
  /** float16: the graph computes in half precision (a GPU variant); the rule's value is stored so. */
  dtype?: 'float16';
  offset: number;
  length: number;
}

export interface TemplateRecipe {
  format: 'marionette-template/1';
  name: string;
  bn_eps: number;
  manifest: Record<string, unknown>;
  signature: Record<string, number[]>;
  resolution: [number, number];
  graphs: Record<string, { file: string; weights: string; initializers: InitializerRecipe[] }>;
  /** Files copied as they are (the int8 generator's structure, which the engine calibrates). */
  files?: string[];
}

export interface Template {
  id: string;
  dir: string;
  recipe: TemplateRecipe;
}

export async function loadTemplates(root: string): Promise<Template[]> {
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  const out: Template[] = [];
  for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const dir = path.join(root, entry.name);
    const recipe = JSON.parse(await readFile(path.join(dir, 'recipe.json'), 'utf8')) as TemplateRecipe;
    if (recipe.format === 'marionette-template/1') out.push({ id: entry.name, dir, recipe });
  }
  return out;
}

function isTensor(v: PyValue | undefined): v is TensorRef {
  return (
    typeof v === 'object' &&
    v !== null &&
    !(v instanceof Map) &&
    !(v instanceof PyTuple) &&
    !Array.isArray(v) &&
    'kind' in v &&
    v.kind === 'tensor'
  );
}

/** The generator's and keypoint detector's tensors, keyed "generator.<name>" / "kp_detector.<name>". */
export function modelTensors(root: PyValue): Map<string, TensorRef> {
  if (!(root instanceof Map)) throw new ImportError('the checkpoint is not a dictionary of state dicts');
  const out = new Map<string, TensorRef>();
  for (const part of ['kp_detector', 'generator']) {
    const state = root.get(part);
    if (!(state instanceof Map)) {
      const all = [...root.keys()].map((k) => String(k).slice(0, 40));
      const keys = all.slice(0, 8).join(', ') + (all.length > 8 ? `, … (${all.length} keys)` : '');
      throw new ImportError(
        `the checkpoint has no "${part}" state dict (it has: ${keys || 'nothing'}); is this a First Order Motion Model checkpoint?`,
      );
    }
    for (const [key, value] of state) {
      if (typeof key === 'string' && isTensor(value)) out.set(`${part}.${key}`, value);
    }
  }
  return out;
}

function describeShape(shape: readonly number[]): string {
  return `(${shape.join(', ')})`;
}

function mismatches(tensors: Map<string, TensorRef>, signature: Record<string, number[]>): string[] {
  const problems: string[] = [];
  for (const [key, shape] of Object.entries(signature)) {
    const t = tensors.get(key);
    if (!t) problems.push(`${key} is missing`);
    else if (t.shape.join() !== shape.join())
      problems.push(`${key} has shape ${describeShape(t.shape)}, expected ${describeShape(shape)}`);
  }
  for (const key of tensors.keys()) if (!(key in signature)) problems.push(`unexpected ${key}`);
  return problems;
}

/** The template whose signature the checkpoint matches exactly, or an error naming what differs. */
export function detectArchitecture(
  tensors: Map<string, TensorRef>,
  templates: readonly Template[],
): Template {
  if (!templates.length) throw new ImportError('no architecture templates are installed');
  const scored = templates.map((t) => ({ t, problems: mismatches(tensors, t.recipe.signature) }));
  const exact = scored.find((s) => s.problems.length === 0);
  if (exact) return exact.t;
  scored.sort((a, b) => a.problems.length - b.problems.length);
  const best = scored[0]!;
  const shown = best.problems.slice(0, 4).join('; ');
  const more = best.problems.length > 4 ? ` (and ${best.problems.length - 4} more)` : '';
  const found = new Map([...tensors].map(([key, t]) => [key, t.shape] as const));
  const plain = unknownArchitectureSentence(found, {
    name: best.t.recipe.name,
    shapes: new Map(Object.entries(best.t.recipe.signature)),
  });
  throw new ImportError(
    `${plain}. Details: not a supported FOMM architecture; closest is ${best.t.recipe.name}: ${shown}${more}`,
  );
}

async function initializerData(
  checkpoint: Checkpoint,
  tensors: Map<string, TensorRef>,
  rule: Rule,
  eps: number,
): Promise<Float32Array> {
  const get = async (key: string) => {
    const ref = tensors.get(key);
    if (!ref) throw new ImportError(`checkpoint tensor ${key} is missing`);
    return readFloatTensor(checkpoint, ref);
  };
  if ('copy' in rule) return get(rule.copy);
  const { conv, bn, part } = rule.fold;
  const [gamma, beta, mean, variance] = await Promise.all([
    get(`${bn}.weight`),
    get(`${bn}.bias`),
    get(`${bn}.running_mean`),
    get(`${bn}.running_var`),
  ]);
  const scale = Float64Array.from(gamma, (g, i) => g / Math.sqrt(variance[i]! + eps));
  if (part === 'bias') {
    const bias = await get(`${conv}.bias`);
    return Float32Array.from(bias, (b, i) => (b - mean[i]!) * scale[i]! + beta[i]!);
  }
  const weight = await get(`${conv}.weight`);
  const perChannel = weight.length / scale.length;
  return Float32Array.from(weight, (w, i) => w * scale[Math.floor(i / perChannel)]!);
}

export interface ImportOptions {
  templatesDir: string;
  modelsDir: string;
  /** The model's id (a slug, see src-shared/model-id.ts); by default from the file's name. */
  id?: string;
  /** When a model with the id exists: refuse (the CLI) or take the next free `id-2`, `id-3` (the studio). */
  onExisting?: 'refuse' | 'number';
  /** The temporary folder to write into (inside modelsDir); by default a new one. */
  tempDir?: string;
  name?: string;
  /** What the model animates; by default what the file's name says (vox: face, taichi: body, …), else its template's. */
  subject?: ModelSubject;
  /** Tensors written so far of all the model set needs (a 751 MB checkpoint takes ~10 s). */
  onProgress?(done: number, total: number): void;
  /** Aborting stops the import between tensors; nothing is left behind. */
  signal?: AbortSignal;
}

export interface ImportResult {
  id: string;
  dir: string;
  architecture: string;
  format: 'zip' | 'legacy';
}

export function modelIdFor(file: string): string {
  return modelIdFromFileName(path.basename(file));
}

/** Temporary import folders are `.importing-<pid>-<random>` inside the models folder. */
export const IMPORT_TEMP_PREFIX = '.importing-';

export function importTempPrefix(modelsDir: string, pid = process.pid): string {
  return path.join(modelsDir, `${IMPORT_TEMP_PREFIX}${pid}-`);
}

/**
 * The folder a model id names, checked after resolution to lie directly inside the models folder
 * (the id rule already forbids "..", separators and dots; this is the second lock).
 */
export function modelFolder(modelsDir: string, id: string): string {
  const problem = modelIdProblem(id);
  if (problem) throw new ImportError(problem);
  const root = path.resolve(modelsDir);
  const dir = path.resolve(root, id);
  if (path.dirname(dir) !== root)
    throw new ImportError(`model id "${id}" does not name a folder inside ${root}`);
  return dir;
}

async function chooseId(modelsDir: string, wanted: string, onExisting: 'refuse' | 'number'): Promise<string> {
  const taken = new Set((await readdir(modelsDir).catch(() => [] as string[])).map((n) => n.toLowerCase()));
  if (!taken.has(wanted)) return wanted;
  if (onExisting === 'number') return freeModelId(wanted, taken);
  throw new ImportError(
    `a model with id "${wanted}" is already imported: remove it first (models remove ${wanted}) or choose another id (--id)`,
  );
}

/** A folder given for a checkpoint: often one the user extracted, believing `.pth.tar` is a tar archive. */
async function refuseFolder(file: string): Promise<void> {
  if (!(await stat(file).catch(() => null))?.isDirectory()) return;
  const entries = await readdir(file, { withFileTypes: true });
  const extracted =
    entries.some((e) => e.name === 'data.pkl') ||
    entries.some((e) => e.isDirectory() && existsSync(path.join(file, e.name, 'data.pkl')));
  throw new ImportError(
    extracted
      ? `${file} is an extracted torch checkpoint: import the original .pth.tar file as it is (it is not a tar archive and needs no extracting)`
      : `${file} is a folder: choose the checkpoint file itself (e.g. vox-cpk.pth.tar)`,
  );
}

export async function importCheckpoint(file: string, options: ImportOptions): Promise<ImportResult> {
  await refuseFolder(file);
  const source = await fileSource(file).catch((err: NodeJS.ErrnoException) => {
    throw new ImportError(
      err.code === 'ENOENT' ? `${file}: file not found` : `${file}: cannot read (${err.message})`,
    );
  });
  const modelsDir = path.resolve(options.modelsDir);
  let tempDir: string | null = null;
  try {
    const wanted = options.id ?? modelIdFor(file);
    modelFolder(modelsDir, wanted);
    const checkpoint = await readCheckpoint(source);
    const tensors = modelTensors(checkpoint.root);
    const template = detectArchitecture(tensors, await loadTemplates(options.templatesDir));
    const recipe = template.recipe;
    await mkdir(modelsDir, { recursive: true });
    if (options.tempDir) {
      if (path.dirname(path.resolve(options.tempDir)) !== modelsDir)
        throw new ImportError('the temporary import folder must lie inside the models folder');
      await mkdir(options.tempDir);
      tempDir = path.resolve(options.tempDir);
    } else tempDir = await mkdtemp(importTempPrefix(modelsDir));
    const total = Object.values(recipe.graphs).reduce((n, g) => n + g.initializers.length, 0);
    let done = 0;
    for (const graph of Object.values(recipe.graphs)) {
      await copyFile(path.join(template.dir, graph.file), path.join(tempDir, graph.file));
      const out = await open(path.join(tempDir, graph.weights), 'w');
      try {
        for (const init of graph.initializers) {
          if (options.signal?.aborted)
            throw new ImportError(`importing ${path.basename(file)} was cancelled`);
          const values = await initializerData(checkpoint, tensors, init.rule, recipe.bn_eps);
          const data = init.dtype === 'float16' ? toFloat16(values) : values;
          if (data.byteLength !== init.length)
            throw new ImportError(`${init.name}: ${data.byteLength} bytes, the graph expects ${init.length}`);
          await out.write(
            new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
            0,
            data.byteLength,
            init.offset,
          );
          options.onProgress?.(++done, total);
        }
      } finally {
        await out.close();
      }
    }
    for (const file of recipe.files ?? []) {
      if (!MODEL_FILE_NAME.test(file))
        throw new ImportError(`template ${template.id}: bad file name ${file}`);
      await copyFile(path.join(template.dir, file), path.join(tempDir, file));
    }
    const manifest = {
      ...recipe.manifest,
      name: options.name ?? path.basename(file),
      weights: `imported from ${path.basename(file)} (${checkpoint.format} torch format)`,
      category: template.id,
      // vox's architecture also serves bair, nemo and fashion: the file's name tells them apart.
      subject:
        options.subject ??
        subjectFromFileName(path.basename(file)) ??
        modelSubject({ category: template.id }),
      source_checkpoint: path.resolve(file),
    };
    await writeFile(path.join(tempDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    // The id is settled last, so that a model imported meanwhile under it is never replaced:
    // rename() onto an existing non-empty folder fails, and nothing but our own folder is removed.
    const id = await chooseId(modelsDir, wanted, options.onExisting ?? 'refuse');
    const finalDir = modelFolder(modelsDir, id);
    try {
      await rename(tempDir, finalDir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' || code === 'EEXIST')
        throw new ImportError(`a model with id "${id}" appeared while importing: import again`);
      throw err;
    }
    tempDir = null;
    return { id, dir: finalDir, architecture: recipe.name, format: checkpoint.format };
  } catch (err) {
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
    if (err instanceof ImportError) throw err;
    const reason = (err as Error).message;
    throw new ImportError(`${path.basename(file)}: ${reason}`);
  } finally {
    await source.close();
  }
}
