/**
 * Finds the ffmpeg and ffprobe executables. Order: an explicit env var (FFMPEG_PATH /
 * FFPROBE_PATH) wins, then ffmpeg-static, then registry packages that ship the binary inside
 * their tarball (@ffmpeg-installer / @ffprobe-installer), then the system PATH (e.g. Debian's
 * ffmpeg). A candidate counts only if the file exists and is executable, so a package whose
 * download failed at install time is skipped instead of failing later.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export type MediaTool = 'ffmpeg' | 'ffprobe';

export interface Candidate {
  source: string;
  path: string | null | undefined;
}

export interface ResolvedBinary {
  tool: MediaTool;
  path: string;
  source: string;
}

export class MediaToolMissingError extends Error {
  constructor(tool: MediaTool, tried: readonly Candidate[]) {
    const list = tried.map((c) => `${c.source}${c.path ? ` (${c.path})` : ''}`).join(', ');
    super(
      `${tool} not found (tried ${list}). Install ffmpeg (e.g. apt-get install ffmpeg) or set ${tool.toUpperCase()}_PATH.`,
    );
    this.name = 'MediaToolMissingError';
  }
}

/** Pure: the first candidate whose path passes `isExecutable`. */
export function pickExecutable(
  candidates: readonly Candidate[],
  isExecutable: (file: string) => boolean,
): { source: string; path: string } | undefined {
  for (const candidate of candidates) {
    if (candidate.path && isExecutable(candidate.path))
      return { source: candidate.source, path: candidate.path };
  }
  return undefined;
}

/** Inside a packaged Electron app, binaries live beside the asar, never inside it. */
export function unpackedPath(file: string): string {
  return file.replace(`app.asar${path.sep}`, `app.asar.unpacked${path.sep}`);
}

export function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, process.platform === 'win32' ? constants.F_OK : constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findOnPath(name: string, envPath = process.env.PATH ?? ''): string | null {
  const exts = process.platform === 'win32' ? ['.exe', '.cmd', ''] : [''];
  for (const dir of envPath.split(path.delimiter).filter(Boolean)) {
    for (const ext of exts) {
      const file = path.join(dir, name + ext);
      if (isExecutableFile(file)) return file;
    }
  }
  return null;
}

const requireFromHere = createRequire(import.meta.url);

function packageExport(moduleName: string, pick: (mod: unknown) => unknown): string | null {
  try {
    const value = pick(requireFromHere(moduleName));
    return typeof value === 'string' ? unpackedPath(value) : null;
  } catch {
    return null;
  }
}

export function candidatesFor(tool: MediaTool, env: NodeJS.ProcessEnv = process.env): Candidate[] {
  const envVar = tool === 'ffmpeg' ? 'FFMPEG_PATH' : 'FFPROBE_PATH';
  const pathOf = (mod: unknown) => (mod as { path?: unknown } | null)?.path;
  const list: Candidate[] = [{ source: envVar, path: env[envVar] }];
  if (tool === 'ffmpeg') {
    list.push({ source: 'ffmpeg-static', path: packageExport('ffmpeg-static', (mod) => mod) });
    list.push({
      source: '@ffmpeg-installer/ffmpeg',
      path: packageExport('@ffmpeg-installer/ffmpeg', pathOf),
    });
  } else {
    list.push({
      source: '@ffprobe-installer/ffprobe',
      path: packageExport('@ffprobe-installer/ffprobe', pathOf),
    });
  }
  list.push({ source: 'PATH', path: findOnPath(tool, env.PATH) });
  return list;
}

const cache = new Map<MediaTool, ResolvedBinary>();

export function resolveBinary(tool: MediaTool): ResolvedBinary {
  const hit = cache.get(tool);
  if (hit) return hit;
  const candidates = candidatesFor(tool);
  const found = pickExecutable(candidates, isExecutableFile);
  if (!found) throw new MediaToolMissingError(tool, candidates);
  const resolved = { tool, ...found };
  cache.set(tool, resolved);
  return resolved;
}
