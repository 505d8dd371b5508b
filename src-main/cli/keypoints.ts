/**
 * `marionette keypoints`: the model's keypoints and Jacobians for an image or a clip, as JSON.
 * The square the model sees is framed as a render frames it (the face found, for face models)
 * unless --crop gives it; the JSON says which square was used and how it was found.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { centredCrop, cropFits } from '../../src-shared/framing/crop.js';
import { subjectFor } from '../../src-shared/framing/schema.js';
import { keypointsJson, type Keypoints } from '../../src-shared/motion/keypoints.js';
import type { CropBox } from '../../src-shared/job.js';
import { decodeFrames } from '../media/frame-source.js';
import { resolveModelDir, type ModelPlaces } from '../engine/model-catalog.js';
import { ModelSet } from '../engine/model-set.js';
import { sessionCacheDir } from '../engine/session-cache.js';
import { rgbToChw } from '../engine/tensors.js';
import { frameDriving, frameSource } from '../framing/auto-frame.js';
import { checkOutputTarget, OutputTargetError } from '../media/output-target.js';
import { probeMedia } from '../media/probe.js';
import { executionProvider, faceNumber, parseCrop, UsageError } from './options.js';

export async function keypointsCommand(argv: string[], places: ModelPlaces): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string' },
      input: { type: 'string', short: 'i' },
      output: { type: 'string', short: 'o' },
      crop: { type: 'string' },
      'no-auto-frame': { type: 'boolean' },
      face: { type: 'string' },
      'trim-in': { type: 'string' },
      'trim-out': { type: 'string' },
      provider: { type: 'string' },
      overwrite: { type: 'boolean', short: 'y' },
    },
  });
  if (!values.input) throw new UsageError('--input is required (an image or a video)');
  const given = parseCrop(values.crop, '--crop');
  const trimIn = values['trim-in'] ? Number(values['trim-in']) : 0;
  const trimOut = values['trim-out'] ? Number(values['trim-out']) : null;
  if (!Number.isFinite(trimIn) || (trimOut !== null && !(trimOut > trimIn))) {
    throw new UsageError('--trim-in/--trim-out must be numbers with trim out after trim in');
  }
  if (values.output) {
    try {
      await checkOutputTarget(values.output, { overwrite: values.overwrite === true });
    } catch (err) {
      if (err instanceof OutputTargetError) throw new Error(`cannot write ${values.output}: ${err.message}`);
      throw err;
    }
  }
  const info = await probeMedia(values.input, 'input');
  if (given && !cropFits(given, info.width, info.height))
    throw new UsageError(
      `--crop ${given.size}px at (${given.x}, ${given.y}) does not fit in ${values.input} (${info.width}x${info.height})`,
    );
  const models = await ModelSet.load(
    await resolveModelDir(values.model, places),
    executionProvider(values.provider) ?? 'auto',
    undefined,
    { sessionCache: sessionCacheDir() },
  );
  const signal = new AbortController().signal;
  let crop: CropBox | null = given;
  let framing = given ? 'given (--crop)' : 'centred square';
  const subject = subjectFor(models.manifest);
  if (!given && values['no-auto-frame'] !== true && subject === 'face') {
    const framed =
      info.kind === 'image'
        ? await frameSource(values.input, subject, signal, faceNumber(values.face))
        : await frameDriving(values.input, trimIn, trimOut, subject, signal);
    crop = framed.crop;
    framing = framed.method === 'face' ? 'face found' : 'no face found: centred square';
  }
  const { width, height } = models.size;
  const frames: Keypoints[] = [];
  const image = new Float32Array(3 * width * height);
  for await (const rgb of decodeFrames(
    { input: values.input, width, height, crop, trimIn, trimOut, singleFrame: info.kind === 'image' },
    'input',
    signal,
  )) {
    rgbToChw(rgb, width, height, image);
    frames.push(...(await models.keypoints(image, 1)));
  }
  await models.release();
  const document = {
    model: models.manifest.name,
    provider: models.executionProvider,
    input: values.input,
    numKp: models.manifest.num_kp,
    crop: crop ?? centredCrop(info.width, info.height),
    framing,
    coordinates: 'x, y in [-1, 1] of the model input square (crop); jacobian row-major [a, b, c, d]',
    fps: info.fps ? `${info.fps.num}/${info.fps.den}` : null,
    frames: frames.map(keypointsJson),
  };
  const text = JSON.stringify(document);
  if (values.output) await writeFile(values.output, text);
  else process.stdout.write(`${text}\n`);
}
