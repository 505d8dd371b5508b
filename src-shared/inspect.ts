/** Preview of one moment: what the studio shows at the playhead (keypoints, result, occlusion, flow). */
import { z } from 'zod';
import { CropBoxSchema, CropTrackSchema, RenderSettingsSchema } from './job.js';

export const InspectRequestSchema = z.object({
  modelDir: z.string().min(1),
  sourcePath: z.string().min(1),
  drivingPath: z.string().min(1).nullable(),
  /** Seconds into the driving clip. */
  time: z.number().nonnegative(),
  /** The relative-motion reference frame's time (usually trim in). */
  referenceTime: z.number().nonnegative(),
  sourceCrop: CropBoxSchema.nullable(),
  drivingCrop: CropBoxSchema.nullable(),
  /** A moving driving crop; when set, each frame is cropped where the track is at its time. */
  drivingTrack: CropTrackSchema.nullable().default(null),
  settings: RenderSettingsSchema.pick({
    mode: true,
    adaptScale: true,
    relativeJacobian: true,
    pasteBack: true,
    maxOutputSide: true,
  }),
});
export type InspectRequest = z.infer<typeof InspectRequestSchema>;

const KeypointsJsonSchema = z.object({ value: z.array(z.number()), jacobian: z.array(z.number()) });
export type KeypointsJson = z.infer<typeof KeypointsJsonSchema>;

export const InspectResultSchema = z.object({
  size: z.tuple([z.number().int(), z.number().int()]),
  kpSource: KeypointsJsonSchema,
  kpDriving: KeypointsJsonSchema.nullable(),
  /** PNG data URLs at the model's resolution. */
  images: z.object({
    source: z.string(),
    driving: z.string().nullable(),
    result: z.string().nullable(),
    occlusion: z.string().nullable(),
    deformation: z.string().nullable(),
    /**
     * With paste-back: the exported frame at the playhead, composited into the photo by the
     * render's own code (PNG at the export's size, its longer side at most PREVIEW_MAX_SIDE).
     */
    composite: z.string().nullable().default(null),
    /** With paste-back: the photo at the composite's size, for the before/after comparison. */
    photo: z.string().nullable().default(null),
  }),
});
export type InspectResult = z.infer<typeof InspectResultSchema>;

/** The composited preview's longer side is capped here (a PNG per playhead move must stay quick). */
export const PREVIEW_MAX_SIDE = 1280;
