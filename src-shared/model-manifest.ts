/** manifest.json that travels with every exported model set (written by models/fomm/export_onnx.py). */
import { z } from 'zod';

const TensorSpecSchema = z.object({
  name: z.string(),
  shape: z.array(z.union([z.number().int(), z.string()])),
  dtype: z.literal('float32'),
});

const GraphSchema = z.object({
  file: z.string().regex(/^[\w.-]+\.onnx$/, 'a file name inside the model folder'),
  inputs: z.array(TensorSpecSchema),
  outputs: z.array(TensorSpecSchema),
});

export const ModelManifestSchema = z.object({
  format: z.literal('marionette-model/1'),
  name: z.string().min(1),
  resolution: z.tuple([z.number().int().min(16).max(1024), z.number().int().min(16).max(1024)]),
  num_kp: z.number().int().min(1).max(64),
  estimate_jacobian: z.boolean(),
  estimate_occlusion_map: z.boolean(),
  align_corners: z.boolean(),
  opset: z.number().int(),
  weights: z.string().optional(),
  category: z.string().optional(),
  files: z.object({ kp_detector: GraphSchema, source_encoder: GraphSchema, generator: GraphSchema }),
  training: z.record(z.string(), z.unknown()).optional(),
  metrics: z.record(z.string(), z.unknown()).optional(),
});
export type ModelManifest = z.infer<typeof ModelManifestSchema>;
