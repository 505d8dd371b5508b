/** Pure builders of ffmpeg/ffprobe argument lists. Every ffmpeg invocation's arguments come from here. */
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
}

/** Raw RGB24 frames at model resolution on stdout, exactly as the file holds them (no re-timing). */
export function decodeArgs(o: DecodeOptions): string[] {
  const args = [...quiet];
  if (o.trimIn && o.trimIn > 0) args.push('-ss', formatSeconds(o.trimIn));
  if (o.trimOut != null) args.push('-t', formatSeconds(o.trimOut - (o.trimIn ?? 0)));
  const framing = framingFilter(o.crop, o.width, o.height, o.trimIn ?? 0);
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
