/** `marionette keypoints`: the model's keypoints and Jacobians for an image or a clip, as JSON. */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { Keypoints } from '../../src-shared/motion/keypoints.js';
import { decodeFrames } from '../engine/frame-source.js';
import { resolveModelDir } from '../engine/model-catalog.js';
import { ModelSet } from '../engine/model-set.js';
import { rgbToChw } from '../engine/tensors.js';
import { probeMedia } from '../media/probe.js';
import { parseCrop, UsageError } from './options.js';

export async function keypointsCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string' },
      input: { type: 'string', short: 'i' },
      output: { type: 'string', short: 'o' },
      crop: { type: 'string' },
      'trim-in': { type: 'string' },
      'trim-out': { type: 'string' },
      provider: { type: 'string' },
    },
  });
  if (!values.input) throw new UsageError('--input is required (an image or a video)');
  const crop = parseCrop(values.crop, '--crop');
  const trimIn = values['trim-in'] ? Number(values['trim-in']) : 0;
  const trimOut = values['trim-out'] ? Number(values['trim-out']) : null;
  if (!Number.isFinite(trimIn) || (trimOut !== null && !(trimOut > trimIn))) {
    throw new UsageError('--trim-in/--trim-out must be numbers with trim out after trim in');
  }
  const info = await probeMedia(values.input, 'input');
  const models = await ModelSet.load(await resolveModelDir(values.model), 'cpu');
  const { width, height } = models.size;
  const frames: Keypoints[] = [];
  const image = new Float32Array(3 * width * height);
  const signal = new AbortController().signal;
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
    input: values.input,
    numKp: models.manifest.num_kp,
    coordinates: 'x, y in [-1, 1] of the model input square; jacobian row-major [a, b, c, d]',
    fps: info.fps ? `${info.fps.num}/${info.fps.den}` : null,
    frames: frames.map((kp) => ({ value: Array.from(kp.value), jacobian: Array.from(kp.jacobian) })),
  };
  const text = JSON.stringify(document);
  if (values.output) await writeFile(values.output, text);
  else process.stdout.write(`${text}\n`);
}
