/**
 * What a render can be exported as, and the one rule that ties a format to the output's name:
 * the extension chooses the container (and so the default format), an explicit format must agree
 * with the extension, and anything else is refused with a message that says what would work.
 */
import { z } from 'zod';

export const ExportFormatSchema = z.enum([
  'h264',
  'h265',
  'prores-hq',
  'prores-4444',
  'webm',
  'gif',
  'lossless',
  'png-sequence',
]);
export type ExportFormat = z.infer<typeof ExportFormatSchema>;

export interface ExportFormatInfo {
  label: string;
  /** Extensions the output may have, the default first; '' = a folder (an image sequence). */
  extensions: readonly string[];
  /** Whether the driving clip's sound can go with it. */
  audio: boolean;
  /** Whether `crf` (quality) applies. */
  quality: boolean;
}

export const EXPORT_FORMATS: Record<ExportFormat, ExportFormatInfo> = {
  h264: {
    label: 'H.264 MP4 (plays everywhere)',
    extensions: ['.mp4', '.mov', '.mkv'],
    audio: true,
    quality: true,
  },
  h265: {
    label: 'H.265 / HEVC MP4 (smaller files)',
    extensions: ['.mp4', '.mov', '.mkv'],
    audio: true,
    quality: true,
  },
  'prores-hq': {
    label: 'ProRes 422 HQ .mov (for editing)',
    extensions: ['.mov'],
    audio: true,
    quality: false,
  },
  'prores-4444': {
    label: 'ProRes 4444 .mov (for editing, 4:4:4)',
    extensions: ['.mov'],
    audio: true,
    quality: false,
  },
  webm: { label: 'WebM VP9 (for the web)', extensions: ['.webm'], audio: true, quality: true },
  gif: { label: 'Animated GIF', extensions: ['.gif'], audio: false, quality: false },
  lossless: { label: 'Lossless FFV1 .mkv (archival)', extensions: ['.mkv'], audio: true, quality: false },
  'png-sequence': {
    label: 'PNG sequence (a folder of frames)',
    extensions: [''],
    audio: false,
    quality: false,
  },
};

/** The format an extension means when none is chosen. */
const BY_EXTENSION: Record<string, ExportFormat> = {
  '.mp4': 'h264',
  '.m4v': 'h264',
  '.mov': 'prores-hq',
  '.webm': 'webm',
  '.gif': 'gif',
  '.mkv': 'lossless',
};

/** `.MP4` -> `.mp4`; '' when the last path part has no extension. */
export function extensionOf(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot).toLowerCase() : '';
}

export type FormatChoice = { format: ExportFormat } | { error: string };

/** The format a render to `outputPath` is written in, or why that name cannot hold `requested`. */
export function resolveExportFormat(outputPath: string, requested: ExportFormat | null): FormatChoice {
  const ext = extensionOf(outputPath);
  if (requested) {
    const info = EXPORT_FORMATS[requested];
    if (info.extensions.includes(ext)) return { format: requested };
    const wanted = info.extensions
      .map((e) => (e === '' ? 'a folder name without an extension' : e))
      .join(', ');
    return { error: `${requested} output must be named with ${wanted}, not "${ext || 'no extension'}"` };
  }
  const format = BY_EXTENSION[ext];
  if (format) return { format };
  const known = Object.keys(BY_EXTENSION).join(', ');
  return {
    error: ext
      ? `cannot write a "${ext}" file: name the output ${known}, or choose an export format`
      : `the output has no extension: name it ${known}, or choose the PNG sequence format for a folder of frames`,
  };
}

/** The output name for a format: `talk.mp4` as webm -> `talk.webm`; png-sequence -> `talk`. */
export function withFormatExtension(outputPath: string, format: ExportFormat): string {
  const ext = extensionOf(outputPath);
  const info = EXPORT_FORMATS[format];
  if (info.extensions.includes(ext)) return outputPath;
  const stem = ext ? outputPath.slice(0, -ext.length) : outputPath;
  return `${stem}${info.extensions[0]}`;
}
