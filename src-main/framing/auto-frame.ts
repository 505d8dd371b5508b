/**
 * Automatic framing: where the model's square goes in the source photo and in the driving clip.
 * Faces are detected on a reduced copy (the detector works at 512 px anyway) and mapped back.
 */
import type { CropBox } from '../../src-shared/job.js';
import {
  centredCrop,
  faceCrop,
  followTrack,
  scaleCrop,
  scaleTrack,
  stableCrop,
  type Rect,
} from '../../src-shared/framing/crop.js';
import type { FramedImage, FramingRequest, FramingResult, Subject } from '../../src-shared/framing/schema.js';
import { decodeFrames, decodeSingleFrame } from '../media/frame-source.js';
import { imageOrientation, orientationFilter } from '../media/orientation.js';
import { MediaInputError } from '../media/errors.js';
import { probeMedia, type MediaInfo } from '../media/probe.js';
import { detectFaces } from './face-detector.js';

const SOURCE_WORK_SIDE = 640;
const DRIVING_WORK_SIDE = 384;
/** At most this many driving frames are analysed, spread over the trimmed range. */
const DRIVING_SAMPLES = 12;

function workSize(info: MediaInfo, maxSide: number): { width: number; height: number; factor: number } {
  const s = Math.min(1, maxSide / Math.max(info.width, info.height));
  const width = Math.max(2, Math.round(info.width * s));
  const height = Math.max(2, Math.round(info.height * s));
  return { width, height, factor: info.width / width };
}

function scaleRect(r: Rect, f: number): Rect {
  return { x: r.x * f, y: r.y * f, width: r.width * f, height: r.height * f };
}

/** The probe a caller already made (a render probes its inputs first), or a new one. */
function probe(file: string, subject: string, signal: AbortSignal, known?: MediaInfo): Promise<MediaInfo> {
  return known ? Promise.resolve(known) : probeMedia(file, subject, signal);
}

/** The answer when no face is looked for or found: the centred square. */
function centred(info: MediaInfo, sampled: number): FramedImage {
  const crop = centredCrop(info.width, info.height);
  return {
    width: info.width,
    height: info.height,
    crop,
    method: 'centre',
    faces: [],
    sampled,
    detected: 0,
    track: null,
    faceCrops: [],
    faceSeen: null,
    sidewaysTurn: null,
  };
}

/** Best face's crop in a work-size frame, or null. */
async function frameFace(rgb: Uint8Array, width: number, height: number) {
  const faces = await detectFaces(rgb, width, height);
  const best = faces[0];
  return best ? { crop: faceCrop(best.landmarks, width, height), box: best.box } : null;
}

const TURNS = { 90: 'transpose=1', 180: 'hflip,vflip', 270: 'transpose=2' } as const;

/**
 * Every face in the photo (largest first) with its square; the chosen one (`face`, 1-based) or
 * the largest frames the photo. With no face upright, the photo is tried turned by quarter turns,
 * so that the studio can say it looks sideways. With `lookForFaces` (the studio) a photo framed
 * by the centre is still searched for a face, to say whether a face model would suit it.
 */
export async function frameSource(
  path: string,
  subject: Subject,
  signal: AbortSignal,
  face: number | null = null,
  known?: MediaInfo,
  lookForFaces = false,
): Promise<FramedImage> {
  const info = await probe(path, 'source image', signal, known);
  const fallback = centred(info, 1);
  if (subject !== 'face' && !lookForFaces) return fallback;
  const work = workSize(info, SOURCE_WORK_SIDE);
  const rgb = await decodeSingleFrame(
    { input: path, ...work, crop: 'full', strict: true },
    'source image',
    signal,
  );
  const found = await detectFaces(rgb, work.width, work.height);
  const seen = lookForFaces ? found.length > 0 : null;
  if (subject !== 'face') return { ...fallback, faceSeen: seen };
  if (found.length === 0) {
    const upright = orientationFilter(await imageOrientation(path));
    for (const turn of [90, 270, 180] as const) {
      const quarter = turn !== 180;
      const turned = await decodeSingleFrame(
        {
          input: path,
          width: quarter ? work.height : work.width,
          height: quarter ? work.width : work.height,
          crop: 'full',
          orient: [upright, TURNS[turn]].filter(Boolean).join(','),
        },
        'source image',
        signal,
      );
      const faces = await detectFaces(
        turned,
        quarter ? work.height : work.width,
        quarter ? work.width : work.height,
      );
      if (faces.length) return { ...fallback, sidewaysTurn: turn, faceSeen: seen };
    }
    return { ...fallback, faceSeen: seen };
  }
  if (face !== null && (face < 1 || face > found.length))
    throw new MediaInputError(
      `source image ${path}: face ${face} asked for, but ${found.length} face${found.length === 1 ? ' was' : 's were'} found`,
    );
  const faceCrops = found.map((f) =>
    scaleCrop(faceCrop(f.landmarks, work.width, work.height), work.factor, info.width, info.height),
  );
  return {
    ...fallback,
    crop: faceCrops[(face ?? 1) - 1]!,
    method: 'face',
    faces: found.map((f) => scaleRect(f.box, work.factor)),
    faceCrops,
    detected: found.length,
    faceSeen: seen,
  };
}

export async function frameDriving(
  path: string,
  trimIn: number,
  trimOut: number | null,
  subject: Subject,
  signal: AbortSignal,
  known?: MediaInfo,
): Promise<FramedImage> {
  const info = await probe(path, 'driving video', signal, known);
  const fallback = centred(info, 0);
  if (subject !== 'face') return fallback;
  const work = workSize(info, DRIVING_WORK_SIDE);
  const span = Math.max(0.04, (trimOut ?? info.duration ?? 1) - trimIn);
  const fps = info.fps ? info.fps.num / info.fps.den : 25;
  const sampleFps = Math.min(fps, DRIVING_SAMPLES / span);
  const samples: { t: number; crop: CropBox | null }[] = [];
  const faces: Rect[] = [];
  for await (const rgb of decodeFrames(
    { input: path, ...work, crop: 'full', trimIn, trimOut, sampleFps },
    'driving video',
    signal,
  )) {
    const found = await frameFace(rgb, work.width, work.height);
    // The fps filter emits the k-th sample at k / sampleFps after the trim-in point.
    samples.push({ t: trimIn + samples.length / sampleFps, crop: found?.crop ?? null });
    if (found) faces.push(scaleRect(found.box, work.factor));
    if (samples.length >= DRIVING_SAMPLES + 1) break;
  }
  const union = stableCrop(
    samples.map((s) => s.crop),
    work.width,
    work.height,
  );
  const track = followTrack(samples, work.width, work.height);
  if (!union || !track) return { ...fallback, sampled: samples.length };
  return {
    ...fallback,
    crop: scaleCrop(union, work.factor, info.width, info.height),
    method: 'face',
    faces,
    sampled: samples.length,
    detected: faces.length,
    track: scaleTrack(track, work.factor, info.width, info.height),
  };
}

export async function frameInputs(request: FramingRequest, signal: AbortSignal): Promise<FramingResult> {
  // The studio asks: it also wants to know whether the photo shows a face (to suggest a model).
  const source = await frameSource(request.sourcePath, request.subject, signal, null, undefined, true);
  const driving = request.drivingPath
    ? await frameDriving(request.drivingPath, request.trimIn, request.trimOut, request.subject, signal)
    : null;
  return { source, driving };
}
