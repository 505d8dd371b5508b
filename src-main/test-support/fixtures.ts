import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { JobSpecSchema, type JobSpec, type JobSpecInput } from '../../src-shared/job.js';
import { resolveBinary } from '../media/binaries.js';

export const FIXTURES = path.resolve('build/fixtures');
export const TINY_MODEL = path.join(FIXTURES, 'tiny-model');
export const SOURCE = path.join(FIXTURES, 'source.png');
export const DRIVING = path.join(FIXTURES, 'driving.avi');

/** Real photos and clips, read in place from ../shared beside the checkout (never copied in). */
export const DATASETS = path.resolve(process.env.MARIONETTE_DATASETS ?? '../shared/datasets');

export function tempDir(prefix = 'marionette-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export function job(
  overrides: Partial<JobSpecInput> & { outputPath: string },
  settings: Partial<JobSpec['settings']> = {},
): JobSpec {
  return JobSpecSchema.parse({
    modelDir: TINY_MODEL,
    sourcePath: SOURCE,
    drivingPath: DRIVING,
    ...overrides,
    settings: { executionProvider: 'cpu', ...settings },
  });
}

export function readFloat32(file: string): Float32Array {
  const bytes = readFileSync(file);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

export interface StreamInfo {
  codec_type: string;
  codec_name: string;
  pix_fmt?: string;
  width?: number;
  height?: number;
  r_frame_rate?: string;
  nb_read_frames?: string;
  duration?: string;
}

export interface ProbeJson {
  streams: StreamInfo[];
  format: { duration: string; format_name: string };
}

export function ffprobe(file: string): ProbeJson {
  const out = execFileSync(resolveBinary('ffprobe').path, [
    '-v',
    'error',
    '-count_frames',
    '-print_format',
    'json',
    '-show_streams',
    '-show_format',
    file,
  ]);
  return JSON.parse(out.toString()) as ProbeJson;
}
