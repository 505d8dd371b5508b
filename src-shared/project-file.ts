/**
 * A saved studio session (`.marionette`): which model, which photo and clip, the trim, the
 * framing, the render settings and where the MP4 goes. Versioned JSON; files from older versions
 * are migrated on read, files from newer versions are refused with a message saying so.
 */
import { z } from 'zod';
import { CropBoxSchema, CropTrackSchema, describeIssues, RenderSettingsSchema } from './job.js';

export const PROJECT_FORMAT = 'marionette-project';
export const PROJECT_VERSION = 1;
export const PROJECT_EXTENSION = '.marionette';
/** Far larger than any real project (a crop track has at most 512 keys): refuse before parsing. */
export const MAX_PROJECT_BYTES = 1 << 20;

export const ProjectDocSchema = z
  .object({
    modelId: z.string().min(1).max(200).nullable(),
    sourcePath: z.string().min(1).max(4096).nullable(),
    drivingPath: z.string().min(1).max(4096).nullable(),
    /** Seconds into the driving clip. */
    trimIn: z.number().nonnegative(),
    /** Seconds; null = to the end of the clip. */
    trimOut: z.number().positive().nullable(),
    sourceCrop: CropBoxSchema.nullable(),
    drivingCrop: CropBoxSchema.nullable(),
    drivingTrack: CropTrackSchema.nullable(),
    settings: RenderSettingsSchema,
    outputPath: z.string().max(4096),
  })
  .refine((doc) => doc.trimOut === null || doc.trimOut > doc.trimIn, {
    message: 'trim out must be after trim in',
    path: ['trimOut'],
  });
export type ProjectDoc = z.infer<typeof ProjectDocSchema>;

const ProjectFileSchema = z.object({
  format: z.literal(PROJECT_FORMAT),
  version: z.literal(PROJECT_VERSION),
  project: ProjectDocSchema,
});

export function serializeProject(project: ProjectDoc): string {
  const file = { format: PROJECT_FORMAT, version: PROJECT_VERSION, project };
  return `${JSON.stringify(ProjectFileSchema.parse(file), null, 2)}\n`;
}

/** Parse a project file's text; `name` is how errors refer to the file. Throws readable errors. */
export function parseProject(text: string, name: string): ProjectDoc {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error(`${name} is not a Marionette project (not JSON)`);
  }
  const head = z.object({ format: z.string(), version: z.number().int() }).safeParse(raw);
  if (!head.success || head.data.format !== PROJECT_FORMAT) {
    throw new Error(`${name} is not a Marionette project`);
  }
  if (head.data.version > PROJECT_VERSION) {
    throw new Error(
      `${name} was saved by a newer Marionette (project version ${head.data.version}; this one reads up to ${PROJECT_VERSION}): update the app to open it`,
    );
  }
  // Version 1 is the first; a later version adds its migration from the one before here.
  const parsed = ProjectFileSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`${name} is damaged: ${describeIssues(parsed.error)}`);
  return parsed.data.project;
}

/** A file name's stem: `/a/b/face.v2.jpg` -> `face.v2`. */
function stem(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/** What renders and projects of a photo and a clip are named after: `<photo>__<clip>`. */
export function pairStem(sourcePath: string | null, drivingPath: string | null): string {
  const parts = [sourcePath, drivingPath].filter((p): p is string => Boolean(p)).map(stem);
  return parts.length ? parts.join('__') : 'untitled';
}
