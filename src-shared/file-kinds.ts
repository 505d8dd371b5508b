/**
 * The one list of which files are which kind (photos, clips, checkpoints, projects): the folder
 * browser's listing, the desktop dialogs' filters and the browser's uploads all read it.
 */
import type { FileKind } from './api.js';
import { PROJECT_EXTENSION } from './project-file.js';

/** Extensions of each kind, without the dot, as dialogs want them. */
export const FILE_EXTENSIONS: Record<FileKind, readonly string[]> = {
  image: ['png', 'jpg', 'jpeg', 'webp', 'bmp'],
  video: ['mp4', 'mov', 'avi', 'mkv', 'webm', 'gif', 'm4v'],
  checkpoint: ['tar', 'pth', 'pt', 'ckpt'],
  project: [PROJECT_EXTENSION.slice(1)],
};

/** What a file name is by its extension (`vox-cpk.pth.tar` is a checkpoint), or null. */
export function fileKindOf(name: string): FileKind | null {
  const ext = /\.([^./\\]+)$/.exec(name.toLowerCase())?.[1];
  if (!ext) return null;
  for (const kind of ['image', 'video', 'checkpoint', 'project'] as const)
    if (FILE_EXTENSIONS[kind].includes(ext)) return kind;
  return null;
}
