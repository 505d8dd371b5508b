/** Pure builders of ffmpeg/ffprobe argument lists. Every ffmpeg invocation's arguments come from here. */
import { extensionOf, type ExportFormat } from '../../src-shared/export-format.js';
import type { CropBox, CropTrack } from '../../src-shared/job.js';

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
 * Crop (a given square, a moving square, else the centred largest square; 'full' keeps the whole
 * frame) then scale to width x height. A moving square's key times are clip times; `origin` is the
 * clip time of the first decoded frame (ffmpeg's `t` restarts at 0 after an input seek).
 */
export function framingFilter(
  crop: CropBox | CropTrack | null | 'full',
  width: number,
  height: number,
  origin = 0,
): string {
  const scale = `scale=${width}:${height}:flags=area,setsar=1`;
  if (crop === 'full') return scale;
  let cropPart = `crop='min(iw,ih)':'min(iw,ih)'`;
  if (crop && 'keys' in crop) {
    const keys = crop.keys.map((k) => ({ t: k.t - origin, x: k.x, y: k.y }));
    const x = piecewiseLinear(keys.map((k) => [k.t, k.x]));
    const y = piecewiseLinear(keys.map((k) => [k.t, k.y]));
    // exact: odd offsets are kept (not rounded to the chroma grid), so the square moves smoothly.
    cropPart = `crop=w=${crop.size}:h=${crop.size}:x='${x}':y='${y}':exact=1`;
  } else if (crop) cropPart = `crop=${crop.size}:${crop.size}:${crop.x}:${crop.y}`;
  return `${cropPart},${scale}`;
}

/**
 * An ffmpeg expression of the frame time `t`: linear between (time, value) keys, held outside.
 * Nested ifs, one per key, so its length grows linearly with the number of keys.
 */
export function piecewiseLinear(keys: readonly (readonly [number, number])[]): string {
  const num = (v: number) => String(Number(v.toFixed(6)));
  let expr = num(keys[keys.length - 1]![1]);
  for (let i = keys.length - 2; i >= 0; i--) {
    const [t0, v0] = keys[i]!;
    const [t1, v1] = keys[i + 1]!;
    const segment = `${num(v0)}+(${num(v1 - v0)})*(t-(${num(t0)}))/${num(t1 - t0)}`;
    expr = `if(lt(t,${num(t1)}),${segment},${expr})`;
  }
  return `if(lt(t,${num(keys[0]![0])}),${num(keys[0]![1])},${expr})`;
}

export interface DecodeOptions {
  input: string;
  width: number;
  height: number;
  crop: CropBox | CropTrack | null | 'full';
  trimIn?: number;
  trimOut?: number | null;
  /** Decode only the first frame (source images). */
  singleFrame?: boolean;
  /** Sample the range at this rate instead of decoding every frame (framing analysis). */
  sampleFps?: number;
  /** A filter that turns a stored image upright (media/orientation.ts), applied before the crop. */
  orient?: string;
}

/** Raw RGB24 frames at model resolution on stdout, exactly as the file holds them (no re-timing). */
export function decodeArgs(o: DecodeOptions): string[] {
  const args = [...quiet];
  if (o.trimIn && o.trimIn > 0) args.push('-ss', formatSeconds(o.trimIn));
  if (o.trimOut != null) args.push('-t', formatSeconds(o.trimOut - (o.trimIn ?? 0)));
  const framing = framingFilter(o.crop, o.width, o.height, o.trimIn ?? 0);
  const upright = o.orient ? `${o.orient},${framing}` : framing;
  const filter = o.sampleFps ? `fps=${o.sampleFps.toFixed(6)},${upright}` : upright;
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
  /** What to write (src-shared/export-format.ts); H.264 by default. */
  format?: ExportFormat;
  /** The container, from the final name's extension (the output itself is a temporary name). */
  container?: string;
}

/** ffmpeg's muxer for a final output name: `.mov` -> mov, `.mkv` -> matroska, … */
export function muxerFor(finalPath: string, format: ExportFormat): string {
  if (format === 'png-sequence') return 'image2';
  const ext = extensionOf(finalPath);
  return { '.mov': 'mov', '.mkv': 'matroska', '.webm': 'webm', '.gif': 'gif' }[ext] ?? 'mp4';
}

/** The frame files of a PNG sequence inside its folder. */
export const PNG_SEQUENCE_PATTERN = 'frame_%06d.png';

function codecArgs(format: ExportFormat, crf: number, container: string): string[] {
  const tag = container === 'mp4' || container === 'mov' ? ['-tag:v', 'hvc1'] : [];
  switch (format) {
    case 'h264':
      return ['-c:v', 'libx264', '-preset', 'medium', '-crf', String(crf), '-pix_fmt', 'yuv420p'];
    case 'h265':
      return [
        '-c:v',
        'libx265',
        '-preset',
        'medium',
        '-crf',
        String(crf),
        '-pix_fmt',
        'yuv420p',
        '-x265-params',
        'log-level=error',
        ...tag,
      ];
    case 'prores-hq':
      return ['-c:v', 'prores_ks', '-profile:v', '3', '-pix_fmt', 'yuv422p10le', '-vendor', 'apl0'];
    case 'prores-4444':
      return ['-c:v', 'prores_ks', '-profile:v', '4', '-pix_fmt', 'yuv444p10le', '-vendor', 'apl0'];
    case 'webm':
      return [
        '-c:v',
        'libvpx-vp9',
        '-crf',
        String(Math.min(63, crf + 13)),
        '-b:v',
        '0',
        '-row-mt',
        '1',
        '-deadline',
        'good',
        '-cpu-used',
        '4',
        '-pix_fmt',
        'yuv420p',
      ];
    case 'gif':
      return ['-c:v', 'gif'];
    case 'lossless':
      return ['-c:v', 'ffv1', '-level', '3', '-pix_fmt', 'bgr0'];
    case 'png-sequence':
      return ['-c:v', 'png', '-pix_fmt', 'rgb24'];
  }
}

function audioArgs(format: ExportFormat): string[] {
  if (format === 'prores-hq' || format === 'prores-4444') return ['-c:a', 'pcm_s16le'];
  if (format === 'webm') return ['-c:a', 'libopus', '-b:a', '128k'];
  if (format === 'lossless') return ['-c:a', 'flac'];
  return ['-c:a', 'aac', '-b:a', '160k'];
}

/**
 * Raw frames on stdin -> the chosen format (H.264 MP4 by default: yuv420p, faststart), with the
 * driving clip's audio range where the format carries sound.
 */
export function encodeArgs(o: EncodeOptions): string[] {
  const format = o.format ?? 'h264';
  const container = o.container ?? 'mp4';
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
  const audio = o.audio && format !== 'gif' && format !== 'png-sequence' ? o.audio : null;
  if (audio) {
    if (audio.trimIn > 0) args.push('-ss', formatSeconds(audio.trimIn));
    if (audio.duration != null) args.push('-t', formatSeconds(audio.duration));
    args.push('-i', audio.input);
  }
  args.push('-map', '0:v:0');
  if (audio) args.push('-map', '1:a:0?');
  // 4:2:0 and 4:2:2 need even sides.
  const side = o.outputSize ?? null;
  const scale = side
    ? `scale=${side - (side % 2)}:${side - (side % 2)}:flags=lanczos`
    : 'pad=ceil(iw/2)*2:ceil(ih/2)*2';
  // GIF: a palette per frame (no buffering of the whole clip), ordered dithering.
  const filter =
    format === 'gif'
      ? `${scale},split[a][b];[a]palettegen=stats_mode=single:reserve_transparent=0[p];[b][p]paletteuse=new=1:dither=bayer`
      : scale;
  args.push('-vf', filter);
  args.push(...codecArgs(format, o.crf, container));
  if (audio) args.push(...audioArgs(format));
  if (container === 'mp4' || container === 'mov') args.push('-movflags', '+faststart');
  if (format === 'png-sequence') {
    args.push('-f', 'image2', '-start_number', '1', '-y', `${o.output}/${PNG_SEQUENCE_PATTERN}`);
  } else args.push('-f', container, '-y', o.output);
  return args;
}

/** A recorded take's frame rate once kept: camera recordings have variable timestamps. */
export const TAKE_FPS = 30;

/**
 * A camera recording (WebM from MediaRecorder, variable frame rate, often without a duration in
 * its header) as a clip like any other: constant rate, even size, H.264 + AAC with its sound.
 */
export function takeArgs(input: string, output: string): string[] {
  return [
    ...['-v', 'error', '-nostdin', '-y', '-i', input],
    ...['-map', '0:v:0', '-map', '0:a:0?'],
    ...['-vf', `fps=${TAKE_FPS},scale=trunc(iw/2)*2:trunc(ih/2)*2,format=yuv420p`],
    ...['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18'],
    ...['-c:a', 'aac', '-b:a', '160k', '-ar', '48000'],
    ...['-movflags', '+faststart', '-f', 'mp4', output],
  ];
}
