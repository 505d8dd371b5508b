/** What a media file is, from ffprobe: image or video, size, exact frame rate, audio presence. */
import { stat } from 'node:fs/promises';
import { probeArgs, type Rational } from './ffmpeg-args.js';
import { describeFfmpegError } from './ffmpeg-errors.js';
import { imageOrientation, swapsSides } from './orientation.js';
import { runMediaTool } from './run-ffmpeg.js';
import { MediaInputError } from './errors.js';

export interface MediaInfo {
  kind: 'image' | 'video';
  width: number;
  height: number;
  /** Exact rate for videos (e.g. 30000/1001); null for images. */
  fps: Rational | null;
  duration: number | null;
  hasAudio: boolean;
}

export { MediaInputError } from './errors.js';

interface ProbeStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  nb_frames?: string;
  duration?: string;
  disposition?: { attached_pic?: number };
  tags?: { rotate?: string };
  side_data_list?: { side_data_type?: string; rotation?: number }[];
}

/** A video's display rotation in degrees (side data, or the old `rotate` tag); 0 when none. */
export function displayRotation(stream: ProbeStream): number {
  const matrix = stream.side_data_list?.find((d) => typeof d.rotation === 'number');
  const degrees = matrix?.rotation ?? Number(stream.tags?.rotate ?? 0);
  return Number.isFinite(degrees) ? ((Math.round(degrees) % 360) + 360) % 360 : 0;
}

interface ProbeOutput {
  streams?: ProbeStream[];
  format?: { format_name?: string; duration?: string };
}

export function parseRational(text: string | undefined): Rational | null {
  const match = /^(\d+)\/(\d+)$/.exec(text ?? '');
  if (!match) return null;
  const num = Number(match[1]);
  const den = Number(match[2]);
  return num > 0 && den > 0 ? { num, den } : null;
}

const IMAGE_FORMATS =
  /(^|,)(image2|png_pipe|jpeg_pipe|webp_pipe|bmp_pipe|tiff_pipe|gif_pipe|image2pipe)(,|$)/;
const IMAGE_CODECS = new Set(['png', 'mjpeg', 'webp', 'bmp', 'tiff', 'jpegls', 'jpeg2000']);

/** Pure: interpret ffprobe's JSON. Throws MediaInputError with a readable reason. */
export function interpretProbe(json: ProbeOutput, subject: string): MediaInfo {
  const video = json.streams?.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  if (!video || !video.width || !video.height) {
    // A stream with no size means ffprobe guessed a format from the name but found no picture.
    const audioOnly = !video && json.streams?.some((s) => s.codec_type === 'audio');
    throw new MediaInputError(
      `${subject}: ${audioOnly ? 'no video stream' : 'not a readable image or video'}`,
    );
  }
  const hasAudio = Boolean(json.streams?.some((s) => s.codec_type === 'audio'));
  const formatName = json.format?.format_name ?? '';
  const isImage =
    IMAGE_FORMATS.test(formatName) ||
    (IMAGE_CODECS.has(video.codec_name ?? '') && !hasAudio && (video.nb_frames ?? '1') === '1');
  if (isImage) {
    return {
      kind: 'image',
      width: video.width,
      height: video.height,
      fps: null,
      duration: null,
      hasAudio: false,
    };
  }
  const fps = parseRational(video.avg_frame_rate) ?? parseRational(video.r_frame_rate);
  if (!fps) throw new MediaInputError(`${subject}: unknown frame rate`);
  // ffmpeg decodes in display orientation: a phone clip stored 1920x1080 with a 90° rotation is
  // 1080x1920 to every crop, framing and paste-back.
  const quarter = displayRotation(video) % 180 === 90;
  const [width, height] = quarter ? [video.height, video.width] : [video.width, video.height];
  const durationText = video.duration ?? json.format?.duration;
  const duration =
    durationText != null && Number.isFinite(Number(durationText)) ? Number(durationText) : null;
  return { kind: 'video', width, height, fps, duration, hasAudio };
}

export async function probeMedia(file: string, subject: string, signal?: AbortSignal): Promise<MediaInfo> {
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new MediaInputError(`${subject}: ${file} is not a file`);
    if (info.size === 0) throw new MediaInputError(`${subject}: ${file} is empty`);
  } catch (err) {
    if (err instanceof MediaInputError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new MediaInputError(
      `${subject}: ${code === 'ENOENT' ? 'file not found' : 'cannot read file'}: ${file}`,
    );
  }
  const { code, stdout, stderr } = await runMediaTool('ffprobe', probeArgs(file), signal ? { signal } : {});
  if (code !== 0) throw new MediaInputError(describeFfmpegError(stderr, `${subject} ${file}`));
  let json: ProbeOutput;
  try {
    json = JSON.parse(stdout) as ProbeOutput;
  } catch {
    throw new MediaInputError(`${subject}: ffprobe gave unreadable output for ${file}`);
  }
  const info = interpretProbe(json, `${subject} ${file}`);
  if (info.kind === 'image' && swapsSides(await imageOrientation(file)))
    return { ...info, width: info.height, height: info.width };
  return info;
}
