/**
 * A saved studio session (`.marionette`): which model, which photo and clip, the trim, the
 * framing, the render settings and where the MP4 goes. Versioned JSON; files from older versions
 * are migrated on read, files from newer versions are refused with a message saying so.
 */
import { z } from 'zod';
import { describeIssues, JobSpecBaseSchema, TRIM_ORDER_ISSUE, trimIsOrdered } from './job.js';

export const PROJECT_FORMAT = 'marionette-project';
export const PROJECT_VERSION = 1;
export const PROJECT_EXTENSION = '.marionette';
/** Far larger than any real project (a crop track has at most 512 keys): refuse before parsing. */
export const MAX_PROJECT_BYTES = 1 << 20;

/** A project holds what a render request holds (the same fields, the same trim rule), files optional. */
export const ProjectDocSchema = JobSpecBaseSchema.pick({
  trimIn: true,
  trimOut: true,
  sourceCrop: true,
  drivingCrop: true,
  drivingTrack: true,
  settings: true,
})
  .extend({
    modelId: z.string().min(1).max(200).nullable(),
    sourcePath: z.string().min(1).max(4096).nullable(),
    drivingPath: z.string().min(1).max(4096).nullable(),
    outputPath: z.string().max(4096),
  })
  .refine(trimIsOrdered, TRIM_ORDER_ISSUE);
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

/** A project nests four levels deep; JSON nested past this is refused before it is parsed. */
export const MAX_PROJECT_NESTING = 32;

/** How deeply `text`'s JSON arrays and objects nest (strings skipped), counted without recursion. */
export function jsonNesting(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') deepest = Math.max(deepest, ++depth);
    else if (c === '}' || c === ']') depth--;
  }
  return deepest;
}

/** Parse a project file's text; `name` is how errors refer to the file. Throws readable errors. */
export function parseProject(text: string, name: string): ProjectDoc {
  // Editors on Windows save UTF-8 with a byte-order mark; JSON.parse does not accept it.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (jsonNesting(body) > MAX_PROJECT_NESTING)
    throw new Error(`${name} is not a Marionette project (nested too deeply)`);
  let raw: unknown;
  try {
    raw = JSON.parse(body);
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
