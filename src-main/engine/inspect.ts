/** One preview frame for the studio: keypoints of both images and the generator's outputs. */
import { trackAt } from '../../src-shared/framing/crop.js';
import type { InspectRequest, InspectResult, KeypointsJson } from '../../src-shared/inspect.js';
import type { Keypoints } from '../../src-shared/motion/keypoints.js';
import { transferMotion } from '../../src-shared/motion/transfer.js';
import { pngDataUrl } from '../media/png.js';
import { decodeSingleFrame } from '../media/frame-source.js';
import type { ModelSet } from './model-set.js';
import { flowToRgb } from './overlays.js';
import { chwToRgb, mapToGray, rgbToChw } from './tensors.js';

const plain = (kp: Keypoints): KeypointsJson => ({
  value: Array.from(kp.value),
  jacobian: Array.from(kp.jacobian),
});

export async function inspectFrame(
  models: ModelSet,
  request: InspectRequest,
  signal: AbortSignal,
): Promise<InspectResult> {
  const { width, height } = models.size;
  const load = async (input: string, crop: InspectRequest['sourceCrop'], subject: string, time = 0) => {
    const rgb = await decodeSingleFrame({ input, width, height, crop, trimIn: time }, subject, signal);
    const chw = new Float32Array(3 * width * height);
    rgbToChw(rgb, width, height, chw);
    return { rgb, chw };
  };
  const source = await load(request.sourcePath, request.sourceCrop, 'source image');
  const encoded = await models.encodeSource(source.chw);
  const result: InspectResult = {
    size: [height, width],
    kpSource: plain(encoded.kp),
    kpDriving: null,
    images: {
      source: pngDataUrl(source.rgb, width, height, 3),
      driving: null,
      result: null,
      occlusion: null,
      deformation: null,
    },
  };
  if (!request.drivingPath) return result;

  const cropAt = (time: number) =>
    request.drivingTrack ? trackAt(request.drivingTrack, time) : request.drivingCrop;
  const driving = await load(request.drivingPath, cropAt(request.time), 'driving video', request.time);
  const reference = await load(
    request.drivingPath,
    cropAt(request.referenceTime),
    'driving video',
    request.referenceTime,
  );
  const [kpDriving, kpReference] = await models.keypoints(
    Float32Array.from([...driving.chw, ...reference.chw]),
    2,
  );
  const kpNew = transferMotion(encoded.kp, kpDriving!, kpReference!, request.settings);
  const out = await models.generate(source.chw, encoded.features, encoded.featureDims, [encoded.kp], [kpNew]);
  const [, , occH, occW] = out.occlusionDims as [number, number, number, number];
  result.kpDriving = plain(kpDriving!);
  result.images.driving = pngDataUrl(driving.rgb, width, height, 3);
  result.images.result = pngDataUrl(chwToRgb(out.prediction, width, height), width, height, 3);
  result.images.occlusion = pngDataUrl(mapToGray(out.occlusionMap, occH * occW), occW, occH, 1);
  result.images.deformation = pngDataUrl(flowToRgb(out.deformation, occW, occH), occW, occH, 3);
  return result;
}
