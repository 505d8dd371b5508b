/**
 * Saving and opening `.marionette` project files. Saves replace the file whole (a failed save
 * leaves the previous version); opening never changes the file, and finds media that moved along
 * with the project (same name, next to the project file) before giving up on it.
 */
import { access, constants, readFile, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import {
  MAX_PROJECT_BYTES,
  parseProject,
  PROJECT_EXTENSION,
  serializeProject,
  type ProjectDoc,
} from '../../src-shared/project-file.js';
import { writeFileAtomic } from './atomic-file.js';

export interface OpenedProject {
  /** The saved project, with media paths pointing where the files are now. */
  project: ProjectDoc;
  /** Media the project names that is neither where it was nor next to the project file. */
  missing: string[];
}

/** Projects are only ever written as `.marionette` files: a typo cannot overwrite a photo or a clip. */
export function withProjectExtension(file: string): string {
  return path.extname(file).toLowerCase() === PROJECT_EXTENSION ? file : `${file}${PROJECT_EXTENSION}`;
}

export async function saveProjectFile(file: string, project: ProjectDoc): Promise<string> {
  const target = path.resolve(withProjectExtension(file));
  const dir = path.dirname(target);
  const folder = await stat(dir).catch(() => null);
  if (!folder?.isDirectory()) throw new Error(`cannot save the project: folder ${dir} does not exist`);
  if ((await stat(target).catch(() => null))?.isDirectory())
    throw new Error(`cannot save the project: ${target} is a folder`);
  try {
    await writeFileAtomic(target, serializeProject(project));
  } catch (err) {
    throw new Error(
      `cannot save the project to ${target}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  return target;
}

async function readable(file: string): Promise<boolean> {
  return access(file, constants.R_OK).then(
    () => true,
    () => false,
  );
}

/** Where a media file named by the project is now, or null. */
async function locate(saved: string, projectDir: string): Promise<string | null> {
  if (await readable(saved)) return saved;
  const beside = path.join(projectDir, path.basename(saved));
  return (await readable(beside)) ? beside : null;
}

export async function openProjectFile(file: string): Promise<OpenedProject> {
  const target = path.resolve(file);
  const info = await stat(target).catch(() => null);
  if (!info) throw new Error(`project file not found: ${target}`);
  if (!info.isFile()) throw new Error(`${target} is not a file`);
  if (info.size > MAX_PROJECT_BYTES)
    throw new Error(`${target} is too large (${info.size} bytes) to be a Marionette project`);
  const project = parseProject(await readFile(target, 'utf8'), path.basename(target));
  const missing: string[] = [];
  const found = async (saved: string | null) => {
    if (!saved) return null;
    // A path written by hand may be relative: it means relative to the project file, not to
    // wherever the command happens to run.
    const now = await locate(path.resolve(path.dirname(target), saved), path.dirname(target));
    if (!now) missing.push(saved);
    return now;
  };
  const sourcePath = await found(project.sourcePath);
  const drivingPath = await found(project.drivingPath);
  const outputPath = project.outputPath
    ? path.resolve(path.dirname(target), project.outputPath)
    : project.outputPath;
  return {
    project: {
      ...project,
      outputPath,
      sourcePath,
      drivingPath,
      // A crop belongs to its file: without the file it means nothing.
      sourceCrop: sourcePath ? project.sourceCrop : null,
      drivingCrop: drivingPath ? project.drivingCrop : null,
      drivingTrack: drivingPath ? project.drivingTrack : null,
    },
    missing,
  };
}

/** The autosaved session of this run, and the one an earlier run left (project files like any other). */
export function sessionFiles(home: string): { current: string; previous: string } {
  return {
    current: path.join(home, `session${PROJECT_EXTENSION}`),
    previous: path.join(home, `last-session${PROJECT_EXTENSION}`),
  };
}

/**
 * The session to offer restoring: the one autosaved so far is set aside as the previous one, so
 * this run's autosave cannot overwrite it while the offer stands. Null when there never was one.
 */
export async function takeLastSession(home: string): Promise<string | null> {
  const { current, previous } = sessionFiles(home);
  if (await readable(current)) await rename(current, previous);
  return (await readable(previous)) ? previous : null;
}
