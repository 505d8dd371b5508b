/**
 * One render job, start to finish.
 *
 * 1. Probe and validate the inputs and the output folder.
 * 2. Source: decode, detect keypoints and encode features ONCE.
 * 3. Pass 1: stream the trimmed driving range through the keypoint detector in batches; only the
 *    keypoints (K·6 floats a frame) are kept, so memory does not grow with the clip.
 * 4. Choose the reference frame (first, or "best frame"), smooth the track if asked, transfer motion.
 * 5. Pass 2: generator in batches -> ffmpeg encoder via bounded pipes -> atomic rename.
 */
import type { CropBox, CropTrack, JobSpec } from '../../src-shared/job.js';
import { checkOutput, chooseCrops, expectedFrames, probeInputs } from './job-inputs.js';
import { trackAt } from '../../src-shared/framing/crop.js';
import { subjectFor } from '../../src-shared/framing/schema.js';
import { PasteBack } from './paste-back.js';
import { bestFrameIndex } from '../../src-shared/motion/best-frame.js';
import { keypointsJson, type Keypoints } from '../../src-shared/motion/keypoints.js';
import { smoothKeypointTrack } from '../../src-shared/motion/smoothing.js';
import { movementScale, transferMotion } from '../../src-shared/motion/transfer.js';
import type { Stage } from '../../src-shared/protocol/engine.js';
import type { DecodeOptions, Rational } from '../media/ffmpeg-args.js';
import { cancelled, EngineError, engineErrorFrom } from './errors.js';
import { decodeFrames, decodeSingleFrame } from '../media/frame-source.js';
import { readManifest, type LoadOptions, type ModelSet, type SourceEncoding } from './model-set.js';
import { RenderOutputs } from './render-outputs.js';
import { chwToRgb, rgbToChw } from './tensors.js';

export interface AnimateHooks {
  signal: AbortSignal;
  loadModel(
    dir: string,
    provider: JobSpec['settings']['executionProvider'],
    options?: LoadOptions,
  ): Promise<ModelSet>;
  onProgress?(stage: Stage, done: number, total: number, fps: number): void;
  /** The model is loaded: on which provider it runs ("webgpu: NVIDIA", "cpu (webgpu: …)"). */
  onModel?(provider: string): void;
  onPreview?(frameIndex: number, width: number, height: number, rgb: Uint8Array): void;
  /** Every main-output frame as encoded (in-process callers only: tests, benchmarks). */
  onFrame?(frameIndex: number, rgb: Uint8Array, width: number, height: number): void;
  /** Time spent per stage, for benchmarks. */
  timings?: StageTimings;
}

export interface StageTimings {
  /** Start-up: probing the inputs, loading the model (sessions), framing (face detection). */
  probeMs: number;
  loadMs: number;
  framingMs: number;
  sourceMs: number;
  keypointsMs: number;
  transferMs: number;
  generatorMs: number;
  encodeWaitMs: number;
  /** Fast mode: checking the int8 generator on this job's poses (and calibrating it when needed). */
  calibrateMs: number;
  /** Closing the encoder and publishing the output. */
  finishMs: number;
}

export function emptyTimings(): StageTimings {
  return {
    probeMs: 0,
    loadMs: 0,
    framingMs: 0,
    sourceMs: 0,
    keypointsMs: 0,
    transferMs: 0,
    generatorMs: 0,
    encodeWaitMs: 0,
    calibrateMs: 0,
    finishMs: 0,
  };
}

export interface AnimateResult {
  outputPath: string;
  /** The squares actually used (after automatic framing), in source / driving pixels. */
  sourceCrop: CropBox | null;
  drivingCrop: CropBox | null;
  drivingTrack: CropTrack | null;
  frames: number;
  seconds: number;
  executionProvider: string;
  extraOutputs: string[];
  referenceFrame: number;
}

class RateMeter {
  private readonly start = performance.now();
  rate(done: number): number {
    const seconds = (performance.now() - this.start) / 1000;
    return seconds > 0 ? done / seconds : 0;
  }
}

/** Poses that calibrate fast mode, then the ones that judge it: spread over the whole clip. */
const INT8_CALIBRATION_POSES = 4;
const INT8_CHECK_POSES = 2;

export function calibrationPoses(track: readonly Keypoints[]): Keypoints[] {
  const count = INT8_CALIBRATION_POSES + INT8_CHECK_POSES;
  // An even spread over the clip; the check poses interleave with the calibration ones (spread
  // positions 1, 3, …), so both see the whole clip. A short clip repeats poses.
  const spread = Array.from({ length: count }, (_, i) => track[Math.floor((i * track.length) / count)]!);
  const checking = (i: number) => i % 2 === 1 && i < 2 * INT8_CHECK_POSES;
  return [...spread.filter((_, i) => !checking(i)), ...spread.filter((_, i) => checking(i))];
}

/** Pass 1: keypoints of every driving frame in the trimmed range. */
async function drivingTrack(
  models: ModelSet,
  decode: DecodeOptions,
  job: JobSpec,
  total: number,
  hooks: AnimateHooks,
): Promise<Keypoints[]> {
  const { width, height } = models.size;
  const frameSize = 3 * width * height;
  const batchSize = job.settings.batchSize;
  const track: Keypoints[] = [];
  const meter = new RateMeter();
  let batch = new Float32Array(batchSize * frameSize);
  let filled = 0;
  const flush = async () => {
    if (filled === 0) return;
    track.push(...(await models.keypoints(batch.subarray(0, filled * frameSize), filled)));
    filled = 0;
    batch = new Float32Array(batchSize * frameSize);
    hooks.onProgress?.('keypoints', track.length, Math.max(total, track.length), meter.rate(track.length));
  };
  for await (const frame of decodeFrames(decode, 'driving video', hooks.signal)) {
    if (hooks.signal.aborted) throw cancelled();
    rgbToChw(frame, width, height, batch, filled * frameSize);
    filled += 1;
    if (filled === batchSize) await flush();
  }
  await flush();
  return track;
}

export async function animate(job: JobSpec, hooks: AnimateHooks): Promise<AnimateResult> {
  try {
    return await render(job, hooks);
  } catch (err) {
    // In-process callers (tests, bench) get the engine's errors too, not the media layer's.
    throw hooks.signal.aborted ? cancelled() : engineErrorFrom(err);
  }
}

async function render(job: JobSpec, hooks: AnimateHooks): Promise<AnimateResult> {
  const started = performance.now();
  const { signal } = hooks;
  const timings = hooks.timings ?? emptyTimings();
  const since = (from: number) => performance.now() - from;
  hooks.onProgress?.('probe', 0, 1, 0);
  const { format } = await checkOutput(job);
  const inputs = await probeInputs(job, signal);
  timings.probeMs += since(started);
  // Loading the model (native session creation) and framing (face detection on this thread) do
  // not depend on each other: a short job's start-up is the longer of the two, not their sum.
  const loadStarted = performance.now();
  const loading = hooks
    .loadModel(job.modelDir, job.settings.executionProvider, {
      gpuFloat16: job.settings.gpuFloat16,
      int8: job.settings.int8,
    })
    .then((loaded) => {
      timings.loadMs += since(loadStarted);
      return loaded;
    });
  const framing = readManifest(job.modelDir).then(async (manifest) => {
    const framingStarted = performance.now();
    const crops = await chooseCrops(job, subjectFor(manifest), { ...hooks, inputs });
    timings.framingMs += since(framingStarted);
    return crops;
  });
  const [models, { sourceCrop, drivingCrop }] = await Promise.all([loading, framing]);
  hooks.onModel?.(models.executionProvider);
  const { width, height } = models.size;
  const settings = job.settings;

  const sourceRgb = await decodeSingleFrame(
    { input: job.sourcePath, width, height, crop: sourceCrop, strict: true },
    'source image',
    signal,
  );
  const sourceImage = new Float32Array(3 * width * height);
  rgbToChw(sourceRgb, width, height, sourceImage);
  let mark = performance.now();
  const source = await models.encodeSource(sourceImage);
  timings.sourceMs += performance.now() - mark;

  const decode: DecodeOptions = {
    input: job.drivingPath,
    width,
    height,
    crop: drivingCrop,
    trimIn: job.trimIn,
    trimOut: job.trimOut,
  };
  mark = performance.now();
  let track = await drivingTrack(models, decode, job, expectedFrames(inputs.driving, job), hooks);
  timings.keypointsMs += performance.now() - mark;
  if (track.length === 0)
    throw new EngineError(
      'input',
      `driving video ${job.drivingPath}: no frames between ${job.trimIn} s and ${job.trimOut ?? 'the end'}`,
    );
  const fps: Rational = inputs.driving.fps!;
  if (settings.smoothing) track = smoothKeypointTrack(track, fps.num / fps.den, settings.smoothing);
  const referenceFrame = settings.bestFrame ? bestFrameIndex(source.kp, track) : 0;
  const kpReference = track[referenceFrame]!;
  const transferOptions = {
    mode: settings.mode,
    adaptScale: settings.adaptScale,
    relativeJacobian: settings.relativeJacobian,
  };
  const scale = settings.adaptScale ? movementScale(source.kp, kpReference) : 1;
  const transfer = (kp: Keypoints) => transferMotion(source.kp, kp, kpReference, transferOptions, scale);
  if (models.int8Available) {
    mark = performance.now();
    await models.prepareInt8(source, calibrationPoses(track).map(transfer), INT8_CHECK_POSES, source.kp, {
      signal,
      onProgress: (done, total) => hooks.onProgress?.('calibrate', done, total, 0),
    });
    if (signal.aborted) throw cancelled();
    timings.calibrateMs += since(mark);
    hooks.onModel?.(models.executionProvider);
  }

  const audio =
    settings.audio && inputs.driving.hasAudio
      ? {
          input: job.drivingPath,
          trimIn: job.trimIn,
          duration: job.trimOut != null ? job.trimOut - job.trimIn : null,
        }
      : null;
  const paste = settings.pasteBack
    ? await PasteBack.open(job.sourcePath, inputs.source, sourceCrop, settings.maxOutputSide, signal)
    : null;
  const outputs = new RenderOutputs(
    { job, format, fps, width, height, pasted: paste?.size ?? null, audio, sourceRgb },
    signal,
  );
  try {
    await generatePass({
      models,
      source,
      track,
      transfer,
      batchSize: settings.batchSize,
      paste,
      outputs,
      driving: outputs.needsDriving ? decode : null,
      hooks: { ...hooks, timings },
    });
    if (settings.keypointsJson)
      await outputs.writeKeypoints(keypointsDocument(job, models, fps, referenceFrame, source.kp, track));
    hooks.onProgress?.('finalise', 0, 1, 0);
    mark = performance.now();
    const { outputPath, extraOutputs } = await outputs.finish();
    timings.finishMs += since(mark);
    return {
      outputPath,
      sourceCrop,
      drivingCrop: drivingCrop && 'keys' in drivingCrop ? trackAt(drivingCrop, job.trimIn) : drivingCrop,
      drivingTrack: drivingCrop && 'keys' in drivingCrop ? drivingCrop : null,
      frames: track.length,
      seconds: (performance.now() - started) / 1000,
      executionProvider: models.executionProvider,
      extraOutputs,
      referenceFrame,
    };
  } catch (err) {
    await outputs.abort();
    throw err;
  } finally {
    models.releaseSource(source);
  }
}

interface GeneratePass {
  models: ModelSet;
  source: SourceEncoding;
  /** Each output frame's driving keypoints, and how they move the source (applied batch by batch). */
  track: Keypoints[];
  transfer(kp: Keypoints): Keypoints;
  batchSize: number;
  paste: PasteBack | null;
  outputs: RenderOutputs;
  /** The driving clip again, for the extras that show it; null when none does. */
  driving: DecodeOptions | null;
  hooks: AnimateHooks & { timings: StageTimings };
}

/** Pass 2: the generator in batches, each frame pasted back if asked and written to every output. */
async function generatePass(pass: GeneratePass): Promise<void> {
  const { models, source, track, transfer, batchSize, paste, outputs, hooks } = pass;
  const { signal, timings } = hooks;
  const { width, height } = models.size;
  const frameSize = 3 * width * height;
  const drivingFrames = pass.driving
    ? decodeFrames(pass.driving, 'driving video', signal)[Symbol.asyncIterator]()
    : null;
  const meter = new RateMeter();
  let lastPreview = 0;
  try {
    for (let start = 0; start < track.length; start += batchSize) {
      if (signal.aborted) throw cancelled();
      const batch = track.slice(start, start + batchSize);
      const count = batch.length;
      let mark = performance.now();
      const kpTransferred = batch.map(transfer);
      timings.transferMs += performance.now() - mark;
      mark = performance.now();
      const out = await models.generate(source, kpTransferred);
      timings.generatorMs += performance.now() - mark;
      mark = performance.now();
      const [, , occH, occW] = out.occlusionDims as [number, number, number, number];
      for (let i = 0; i < count; i++) {
        const frameIndex = start + i;
        const result = chwToRgb(out.prediction, width, height, i * frameSize);
        const frame = paste
          ? paste.compose(result, width, height, {
              occlusion: out.occlusionMap,
              deformation: out.deformation,
              width: occW,
              height: occH,
              frame: i,
              alignCorners: models.manifest.align_corners,
            })
          : result;
        hooks.onFrame?.(frameIndex, frame, paste?.size.width ?? width, paste?.size.height ?? height);
        let drivingRgb: Uint8Array | null = null;
        if (drivingFrames) {
          const next = await drivingFrames.next();
          if (next.done)
            throw new EngineError('internal', 'driving clip yielded fewer frames on the second pass');
          drivingRgb = next.value;
        }
        const occlusion = out.occlusionMap.subarray(i * occH * occW, (i + 1) * occH * occW);
        await outputs.write({ frame, result, occlusion, kpDriving: batch[i]! }, occW, occH, drivingRgb);
        if (hooks.onPreview && performance.now() - lastPreview > 500) {
          lastPreview = performance.now();
          hooks.onPreview(frameIndex, width, height, result);
        }
      }
      timings.encodeWaitMs += performance.now() - mark;
      const done = Math.min(start + count, track.length);
      hooks.onProgress?.('render', done, track.length, meter.rate(done));
    }
  } finally {
    await drivingFrames?.return?.(undefined);
  }
}

function keypointsDocument(
  job: JobSpec,
  models: ModelSet,
  fps: Rational,
  referenceFrame: number,
  kpSource: Keypoints,
  track: Keypoints[],
) {
  return {
    model: models.manifest.name,
    numKp: models.manifest.num_kp,
    coordinates: 'x, y in [-1, 1] of the model input square; jacobian row-major [a, b, c, d]',
    fps: `${fps.num}/${fps.den}`,
    trimIn: job.trimIn,
    referenceFrame,
    source: keypointsJson(kpSource),
    driving: track.map(keypointsJson),
  };
}
