/**
 * One preview frame for the studio: keypoints of both images and the generator's outputs, and with
 * paste-back the exported frame itself, composited into the photo by the render's own PasteBack.
 *
 * Scrubbing changes only the playhead, so what does not depend on it is cached by file version:
 * the photo's encoding (per model and crop), the reference frame's keypoints and the paste-back
 * photo. A playhead move then costs one frame decode, one keypoint pass and one generator pass.
 */
import { trackAt } from '../../src-shared/framing/crop.js';
import { PREVIEW_MAX_SIDE, type InspectRequest, type InspectResult } from '../../src-shared/inspect.js';
import type { CropBox } from '../../src-shared/job.js';
import { keypointsJson, type Keypoints } from '../../src-shared/motion/keypoints.js';
import { transferMotion, type TransferOptions } from '../../src-shared/motion/transfer.js';
import { pngDataUrl } from '../media/png.js';
import { decodeSingleFrame } from '../media/frame-source.js';
import { probeMedia } from '../media/probe.js';
import { fileVersion, Recent } from '../media/recent.js';
import type { ModelSet } from './model-set.js';
import { flowToRgb } from './overlays.js';
import { PasteBack } from './paste-back.js';
import { chwToRgb, mapToGray, rgbToChw } from './tensors.js';

type Encoded = Awaited<ReturnType<ModelSet['encodeSource']>>;
interface Frame {
  rgb: Uint8Array;
  chw: Float32Array;
}

const sources = new Recent<{ frame: Frame; encoded: Encoded; png: string }>(4);
const references = new Recent<Keypoints>(8);
const photos = new Recent<{ paste: PasteBack; png: string }>(2);
/** A loaded model set's own number: a model loaded again (re-imported under its id) is a new one. */
const modelIds = new WeakMap<ModelSet, number>();
let nextModelId = 0;
const modelKey = (models: ModelSet) => {
  if (!modelIds.has(models)) modelIds.set(models, nextModelId++);
  return `${modelIds.get(models)}|${models.dir}`;
};

/** A frame of the model's size, as bytes and as the network's input. */
async function loadFrame(
  models: ModelSet,
  input: string,
  crop: CropBox | null,
  subject: string,
  signal: AbortSignal,
  time = 0,
): Promise<Frame> {
  const { width, height } = models.size;
  const rgb = await decodeSingleFrame({ input, width, height, crop, trimIn: time }, subject, signal);
  const chw = new Float32Array(3 * width * height);
  rgbToChw(rgb, width, height, chw);
  return { rgb, chw };
}

/** The photo's frame and encoding for this model and crop, computed once per file version. */
export async function sourceEncoding(
  models: ModelSet,
  sourcePath: string,
  sourceCrop: CropBox | null,
  signal: AbortSignal,
): Promise<{ frame: Frame; encoded: Encoded; png: string; version: string }> {
  const version = await fileVersion(sourcePath);
  const source = await sources.get(
    `${modelKey(models)}|${version}|${JSON.stringify(sourceCrop)}`,
    async () => {
      const frame = await loadFrame(models, sourcePath, sourceCrop, 'source image', signal);
      const { width, height } = models.size;
      return {
        frame,
        encoded: await models.encodeSource(frame.chw),
        png: pngDataUrl(frame.rgb, width, height, 3),
      };
    },
  );
  return { ...source, version };
}

/** The photo moved by one driving pose relative to its reference (paper Sec. 3.4), through the generator. */
export function moveSource(
  models: ModelSet,
  source: { frame: Frame; encoded: Encoded },
  kpDriving: Keypoints,
  kpReference: Keypoints,
  settings: TransferOptions,
): ReturnType<ModelSet['generate']> {
  const { encoded } = source;
  const kpNew = transferMotion(encoded.kp, kpDriving, kpReference, settings);
  return models.generate(encoded, [kpNew]);
}

/** The photo prepared for paste-back at this size, once per file version, crop and size. */
export async function pasteBackPhoto(
  sourcePath: string,
  sourceCrop: CropBox | null,
  maxSide: number,
  signal: AbortSignal,
  version?: string,
): Promise<{ paste: PasteBack; png: string }> {
  const key = `${version ?? (await fileVersion(sourcePath))}|${JSON.stringify(sourceCrop)}|${maxSide}`;
  return photos.get(key, async () => {
    const info = await probeMedia(sourcePath, 'source image', signal);
    const paste = await PasteBack.open(sourcePath, info, sourceCrop, maxSide, signal);
    return { paste, png: pngDataUrl(paste.photo, paste.size.width, paste.size.height, 3) };
  });
}

/** A generated frame composited into the photo by the render's own paste-back. */
export function pasteInto(
  models: ModelSet,
  paste: PasteBack,
  resultRgb: Uint8Array,
  out: Awaited<ReturnType<ModelSet['generate']>>,
): Uint8Array {
  const [, , occH, occW] = out.occlusionDims as [number, number, number, number];
  return paste.compose(resultRgb, models.size.width, models.size.height, {
    occlusion: out.occlusionMap,
    deformation: out.deformation,
    width: occW,
    height: occH,
    frame: 0,
    alignCorners: models.manifest.align_corners,
  });
}

export async function inspectFrame(
  models: ModelSet,
  request: InspectRequest,
  signal: AbortSignal,
): Promise<InspectResult> {
  const { width, height } = models.size;
  const load = (input: string, crop: CropBox | null, subject: string, time = 0) =>
    loadFrame(models, input, crop, subject, signal, time);
  const model = modelKey(models);
  const source = await sourceEncoding(models, request.sourcePath, request.sourceCrop, signal);
  const sourceVersion = source.version;
  const { encoded } = source;
  const result: InspectResult = {
    size: [height, width],
    kpSource: keypointsJson(encoded.kp),
    kpDriving: null,
    images: {
      source: source.png,
      driving: null,
      result: null,
      occlusion: null,
      deformation: null,
      composite: null,
      photo: null,
    },
  };
  if (!request.drivingPath) return result;

  const drivingPath = request.drivingPath;
  const cropAt = (time: number) =>
    request.drivingTrack ? trackAt(request.drivingTrack, time) : request.drivingCrop;
  const driving = await load(drivingPath, cropAt(request.time), 'driving video', request.time);
  const referenceCrop = cropAt(request.referenceTime);
  const drivingVersion = await fileVersion(drivingPath);
  const kpReference = await references.get(
    `${model}|${drivingVersion}|${request.referenceTime}|${JSON.stringify(referenceCrop)}`,
    async () => {
      const reference = await load(drivingPath, referenceCrop, 'driving video', request.referenceTime);
      const [kp] = await models.keypoints(reference.chw, 1);
      return kp!;
    },
  );
  const [kpDriving] = await models.keypoints(driving.chw, 1);
  const out = await moveSource(models, source, kpDriving!, kpReference, request.settings);
  const [, , occH, occW] = out.occlusionDims as [number, number, number, number];
  const resultRgb = chwToRgb(out.prediction, width, height);
  result.kpDriving = keypointsJson(kpDriving!);
  result.images.driving = pngDataUrl(driving.rgb, width, height, 3);
  result.images.result = pngDataUrl(resultRgb, width, height, 3);
  result.images.occlusion = pngDataUrl(mapToGray(out.occlusionMap, occH * occW), occW, occH, 1);
  result.images.deformation = pngDataUrl(flowToRgb(out.deformation, occW, occH), occW, occH, 3);
  if (request.settings.pasteBack) {
    const maxSide = Math.min(request.settings.maxOutputSide, PREVIEW_MAX_SIDE);
    const photo = await pasteBackPhoto(
      request.sourcePath,
      request.sourceCrop,
      maxSide,
      signal,
      sourceVersion,
    );
    const composed = pasteInto(models, photo.paste, resultRgb, out);
    result.images.composite = pngDataUrl(composed, photo.paste.size.width, photo.paste.size.height, 3);
    result.images.photo = photo.png;
  }
  return result;
}
