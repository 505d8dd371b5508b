/** Pure builders of ffmpeg/ffprobe argument lists. Every ffmpeg invocation's arguments come from here. */
import type { CropBox } from '../../src-shared/job.js';

export interface Rational {
  num: number;
  den: number;
}

export function formatRational(r: Rational): string {
  return `${r.num}/${r.den}`;
}

/** Seconds with microsecond precision and no exponent, as ffmpeg's time options expect. */
export function formatSeconds(seconds: number): string {
  return seconds.toFixed(6);
}

const quiet = ['-hide_banner', '-nostdin', '-v', 'error'];

export function probeArgs(input: string): string[] {
  return ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', input];
}

/** ffprobe prints how many packets the first video stream has, read by demuxing the whole file. */
export function countPacketsArgs(input: string): string[] {
  return [
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-count_packets',
    '-show_entries',
    'stream=nb_read_packets',
    '-of',
    'csv=p=0',
    input,
  ];
}

/**
 * Crop (a given square, else the centred largest square; 'full' keeps the whole frame) then scale
 * to width x height.
 */
export function framingFilter(crop: CropBox | null | 'full', width: number, height: number): string {
  const scale = `scale=${width}:${height}:flags=area,setsar=1`;
  if (crop === 'full') return scale;
  const cropPart = crop
    ? `crop=${crop.size}:${crop.size}:${crop.x}:${crop.y}`
    : `crop='min(iw,ih)':'min(iw,ih)'`;
  return `${cropPart},${scale}`;
}

export interface DecodeOptions {
  input: string;
  width: number;
  height: number;
  crop: CropBox | null | 'full';
  trimIn?: number;
  trimOut?: number | null;
  /** Decode only the first frame (source images). */
  singleFrame?: boolean;
  /** Sample the range at this rate instead of decoding every frame (framing analysis). */
  sampleFps?: number;
}

/** Raw RGB24 frames at model resolution on stdout, exactly as the file holds them (no re-timing). */
export function decodeArgs(o: DecodeOptions): string[] {
  const args = [...quiet];
  if (o.trimIn && o.trimIn > 0) args.push('-ss', formatSeconds(o.trimIn));
  if (o.trimOut != null) args.push('-t', formatSeconds(o.trimOut - (o.trimIn ?? 0)));
  const framing = framingFilter(o.crop, o.width, o.height);
  const filter = o.sampleFps ? `fps=${o.sampleFps.toFixed(6)},${framing}` : framing;
  args.push('-i', o.input, '-map', '0:v:0', '-vf', filter);
  if (o.singleFrame) args.push('-frames:v', '1');
  args.push('-vsync', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1');
  return args;
}

export interface AudioSource {
  input: string;
  trimIn: number;
  duration: number | null;
}

export interface EncodeOptions {
  output: string;
  width: number;
  height: number;
  fps: Rational;
  crf: number;
  /** Upscale to this square side; null keeps the input size. */
  outputSize: number | null;
  audio: AudioSource | null;
  pixelFormat?: 'rgb24' | 'gray';
}

/** H.264 MP4 (yuv420p, faststart) from raw frames on stdin, with the driving clip's audio range. */
export function encodeArgs(o: EncodeOptions): string[] {
  const args = [
    ...quiet,
    '-f',
    'rawvideo',
    '-pix_fmt',
    o.pixelFormat ?? 'rgb24',
    '-s',
    `${o.width}x${o.height}`,
    '-r',
    formatRational(o.fps),
    '-i',
    'pipe:0',
  ];
  if (o.audio) {
    if (o.audio.trimIn > 0) args.push('-ss', formatSeconds(o.audio.trimIn));
    if (o.audio.duration != null) args.push('-t', formatSeconds(o.audio.duration));
    args.push('-i', o.audio.input);
  }
  args.push('-map', '0:v:0');
  if (o.audio) args.push('-map', '1:a:0?');
  // x264 with yuv420p needs even sides.
  const side = o.outputSize ?? null;
  const scale = side
    ? `scale=${side - (side % 2)}:${side - (side % 2)}:flags=lanczos`
    : 'pad=ceil(iw/2)*2:ceil(ih/2)*2';
  args.push('-vf', scale);
  args.push('-c:v', 'libx264', '-preset', 'medium', '-crf', String(o.crf), '-pix_fmt', 'yuv420p');
  if (o.audio) args.push('-c:a', 'aac', '-b:a', '160k');
  args.push('-movflags', '+faststart', '-f', 'mp4', '-y', o.output);
  return args;
}
