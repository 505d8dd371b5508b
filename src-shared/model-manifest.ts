/** manifest.json that travels with every exported model set (written by models/fomm/export_onnx.py). */
import { z } from 'zod';

const TensorSpecSchema = z.object({
  name: z.string(),
  shape: z.array(z.union([z.number().int(), z.string()])),
  dtype: z.literal('float32'),
});

/** A file inside the model folder, named by a manifest or a plan: no folders, no leading dot. */
export const MODEL_FILE_NAME = /^[\w-][\w.-]*$/;
export const ModelFileNameSchema = z.string().regex(MODEL_FILE_NAME, 'a file name inside the model folder');

const GraphSchema = z.object({
  file: z.string().regex(/^[\w.-]+\.onnx$/, 'a file name inside the model folder'),
  inputs: z.array(TensorSpecSchema),
  outputs: z.array(TensorSpecSchema),
});

export const ModelSubjectSchema = z.enum(['face', 'body', 'other']);
export type ModelSubject = z.infer<typeof ModelSubjectSchema>;

/**
 * What a model animates: the manifest's `subject`, else (manifests written before it existed)
 * what its category says: ours say "face", imported ones name their template.
 */
export function modelSubject(m: { subject?: ModelSubject | null; category?: string | null }): ModelSubject {
  if (m.subject) return m.subject;
  const category = m.category ?? '';
  return category === 'face' || /^vox/i.test(category) ? 'face' : /mgif/i.test(category) ? 'other' : 'body';
}

/**
 * An imported checkpoint's subject from its file name, as the published ones are named
 * (vox/nemo: faces; taichi/fashion: bodies; mgif/bair: other); null when the name says nothing.
 */
export function subjectFromFileName(name: string): ModelSubject | null {
  const base = name.toLowerCase();
  if (/vox|nemo|face/.test(base)) return 'face';
  if (/taichi|tai-chi|fashion|body|dance/.test(base)) return 'body';
  if (/mgif|bair|cartoon/.test(base)) return 'other';
  return null;
}

export const ModelManifestSchema = z.object({
  format: z.literal('marionette-model/1'),
  name: z.string().min(1),
  resolution: z.tuple([z.number().int().min(16).max(1024), z.number().int().min(16).max(1024)]),
  num_kp: z.number().int().min(1).max(64),
  estimate_jacobian: z.boolean(),
  estimate_occlusion_map: z.boolean(),
  align_corners: z.boolean(),
  opset: z.number().int(),
  /** The generator repeats a single source over its batch (newer exports); else it takes a copy per frame. */
  source_broadcast: z.boolean().optional(),
  weights: z.string().optional(),
  /** Random weights: the seed `fomm.export_onnx` drew them with (the bench's PyTorch reference rebuilds them). */
  seed: z.number().int().optional(),
  category: z.string().optional(),
  /** What the model animates: faces are framed by the face detector, anything else by the centre. */
  subject: ModelSubjectSchema.optional(),
  files: z.object({ kp_detector: GraphSchema, source_encoder: GraphSchema, generator: GraphSchema }),
  /** Float16-computing encoder and generator for GPU providers (same inputs and outputs, float32). */
  gpu_float16: z
    .object({ source_encoder: GraphSchema.pick({ file: true }), generator: GraphSchema.pick({ file: true }) })
    .optional(),
  /** The int8 generator's plan (models/fomm/int8.py): the app calibrates it for CPU fast mode. */
  int8: ModelFileNameSchema.regex(/\.json$/, 'a .json file').optional(),
  training: z.record(z.string(), z.unknown()).optional(),
  metrics: z.record(z.string(), z.unknown()).optional(),
  resolution_rationale: z.string().optional(),
  /** Imported models: the checkpoint they came from. */
  source_checkpoint: z.string().optional(),
});
export type ModelManifest = z.infer<typeof ModelManifestSchema>;

const plain = (value: unknown): string | null =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : null;

/** A manifest as label / value lines for the model manager, in the order a user reads them. */
export function manifestDetails(m: ModelManifest): Array<[string, string]> {
  const [height, width] = m.resolution;
  const lines: Array<[string, string | null | undefined]> = [
    ['Weights', m.weights],
    ['Subject', modelSubject(m)],
    ['Input', `${width}×${height} pixels`],
    [
      'Keypoints',
      `${m.num_kp}, ${m.estimate_jacobian ? 'with local affine Jacobians' : 'without Jacobians'}`,
    ],
    ['Occlusion map', m.estimate_occlusion_map ? 'yes' : 'no'],
    ['Imported from', m.source_checkpoint],
    ...Object.entries(m.training ?? {}).map(
      ([key, value]) => [`Training ${key.replace(/_/g, ' ')}`, plain(value)] as [string, string | null],
    ),
    ['Why this size', m.resolution_rationale],
    [
      'Held-out test',
      typeof m.metrics?.clips === 'number' && typeof m.metrics?.frames === 'number'
        ? `${m.metrics.clips} clips, ${m.metrics.frames} frames`
        : null,
    ],
  ];
  return lines.filter((line): line is [string, string] => typeof line[1] === 'string' && line[1] !== '');
}
