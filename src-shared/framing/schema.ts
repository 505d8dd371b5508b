/** Automatic framing request/answer, exchanged between the studio, main and the engine process. */
import { z } from 'zod';
import { CropBoxSchema, CropTrackSchema } from '../job.js';
import { modelSubject, type ModelSubject } from '../model-manifest.js';

/** How a model's subject is found: faces by the face detector; anything else gets a centred box. */
export const SubjectSchema = z.enum(['face', 'centre']);
export type Subject = z.infer<typeof SubjectSchema>;

/** How a model's subject is framed: its manifest's subject (model-manifest.modelSubject) decides. */
export function subjectFor(model: { subject?: ModelSubject | null; category?: string | null }): Subject {
  return modelSubject(model) === 'face' ? 'face' : 'centre';
}

export const FramingRequestSchema = z.object({
  sourcePath: z.string().min(1),
  drivingPath: z.string().min(1).nullable(),
  trimIn: z.number().nonnegative(),
  trimOut: z.number().positive().nullable(),
  subject: SubjectSchema,
});
export type FramingRequest = z.infer<typeof FramingRequestSchema>;

const RectSchema = z.object({ x: z.number(), y: z.number(), width: z.number(), height: z.number() });

export const FramedImageSchema = z.object({
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  crop: CropBoxSchema,
  /** 'face': from detected faces; 'centre': nothing detected (or not a face model). */
  method: z.enum(['face', 'centre']),
  /** Face boxes found (source: in the photo; driving: every sampled frame), in original pixels. */
  faces: z.array(RectSchema),
  /** Driving only: frames sampled / frames with a face. */
  sampled: z.number().int().nonnegative(),
  detected: z.number().int().nonnegative(),
  /** Driving only: the square that follows the subject, when asked for and a face was found. */
  track: CropTrackSchema.nullable().default(null),
  /** Source only: the square for each face found, in the order of `faces` (largest first). */
  faceCrops: z.array(CropBoxSchema).default([]),
  /**
   * Source only, when the studio asked: whether the photo shows a face at all, whatever the
   * model frames by (so a body model can be told a face was found); null when not looked for.
   */
  faceSeen: z.boolean().nullable().default(null),
  /** Source only, when no face was found upright: the quarter turn (degrees) at which one was. */
  sidewaysTurn: z
    .union([z.literal(90), z.literal(180), z.literal(270)])
    .nullable()
    .default(null),
});
export type FramedImage = z.infer<typeof FramedImageSchema>;

export const FramingResultSchema = z.object({
  source: FramedImageSchema,
  driving: FramedImageSchema.nullable(),
});
export type FramingResult = z.infer<typeof FramingResultSchema>;
