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

/** Run ffmpeg quietly to completion (making test inputs, decoding outputs); its stdout. */
export function ffmpeg(...args: string[]): Buffer {
  return execFileSync(resolveBinary('ffmpeg').path, ['-v', 'error', '-y', ...args], { maxBuffer: 1 << 28 });
}

/** A still with detail everywhere and no face (ffmpeg's test pattern), for what needs only pixels. */
export function testPicture(file: string, width: number, height: number): string {
  ffmpeg('-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}`, '-frames:v', '1', file);
  return file;
}

/** A clip of the test pattern with a tone, at an exact rate. */
export function testClip(
  file: string,
  o: { seconds: number; fps: number; width: number; height: number },
): string {
  ffmpeg(
    ...['-f', 'lavfi', '-i', `testsrc2=size=${o.width}x${o.height}:rate=${o.fps}:duration=${o.seconds}`],
    ...['-f', 'lavfi', '-i', `sine=frequency=440:duration=${o.seconds}`],
    ...['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', file],
  );
  return file;
}

/** The first frame of an image or video as RGB24, scaled to width × height. */
export function decodeRgb(file: string, width: number, height: number): Uint8Array {
  return ffmpeg(
    ...['-i', file, '-frames:v', '1', '-vf', `scale=${width}:${height}:flags=area,setsar=1`],
    ...['-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
  );
}
