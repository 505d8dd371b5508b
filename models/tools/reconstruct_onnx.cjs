// The paper's reconstruction protocol (Sec. 4) run on an exported model set with onnxruntime-node,
// the runtime the app ships: every frame of a clip is rebuilt from frame 0 with the driving frame's
// own keypoints (absolute motion, as in fomm.evaluate.reconstruct). Lets `fomm.evaluate --onnx`
// measure the graphs exactly as the app runs them, without the training checkpoint.
//
//   node reconstruct_onnx.cjs MODEL_DIR FRAMES.f32 COUNT PREDICTIONS.f32 [THREADS]
//
// FRAMES.f32: COUNT frames, float32 NCHW in [0, 1] at the manifest's resolution.
// PREDICTIONS.f32: the COUNT reconstructions, same layout.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const ort = require('onnxruntime-node');

const BATCH = 8;

function fail(message) {
  process.stderr.write(`reconstruct_onnx: ${message}\n`);
  process.exit(2);
}

function tileFirst(tensor, count) {
  const size = tensor.data.length / tensor.dims[0];
  const out = new Float32Array(size * count);
  for (let i = 0; i < count; i++) out.set(tensor.data.subarray(0, size), i * size);
  return new ort.Tensor('float32', out, [count, ...tensor.dims.slice(1)]);
}

async function main() {
  const [modelDir, framesFile, countArg, predictionsFile, threadsArg = '2'] = process.argv.slice(2);
  if (!predictionsFile) fail('usage: node reconstruct_onnx.cjs MODEL_DIR FRAMES.f32 COUNT PREDICTIONS.f32 [THREADS]');
  const manifest = JSON.parse(fs.readFileSync(path.join(modelDir, 'manifest.json'), 'utf8'));
  const [height, width] = manifest.resolution;
  const count = Number(countArg);
  const frameSize = 3 * height * width;
  const bytes = fs.readFileSync(framesFile);
  if (!(count > 0) || bytes.byteLength !== count * frameSize * 4) {
    fail(`${framesFile} holds ${bytes.byteLength} bytes, not ${count} frames of 3x${height}x${width} float32`);
  }
  const frames = new Float32Array(bytes.buffer, bytes.byteOffset, count * frameSize);
  const options = { executionProviders: ['cpu'], intraOpNumThreads: Number(threadsArg) };
  const open = (key) => ort.InferenceSession.create(path.join(modelDir, manifest.files[key].file), options);
  const [kpDetector, sourceEncoder, generator] = await Promise.all([
    open('kp_detector'),
    open('source_encoder'),
    open('generator'),
  ]);

  const source = new ort.Tensor('float32', frames.slice(0, frameSize), [1, 3, height, width]);
  const kpSource = await kpDetector.run({ image: source });
  const { source_features: features } = await sourceEncoder.run({ source });
  const out = fs.openSync(predictionsFile, 'w');
  try {
    for (let start = 0; start < count; start += BATCH) {
      const n = Math.min(BATCH, count - start);
      const image = new ort.Tensor('float32', frames.slice(start * frameSize, (start + n) * frameSize), [
        n,
        3,
        height,
        width,
      ]);
      const kpDriving = await kpDetector.run({ image });
      const { prediction } = await generator.run({
        source: tileFirst(source, n),
        source_features: tileFirst(features, n),
        kp_source_value: tileFirst(kpSource.value, n),
        kp_source_jacobian: tileFirst(kpSource.jacobian, n),
        kp_driving_value: kpDriving.value,
        kp_driving_jacobian: kpDriving.jacobian,
      });
      fs.writeSync(out, Buffer.from(prediction.data.buffer, prediction.data.byteOffset, prediction.data.byteLength));
    }
  } finally {
    fs.closeSync(out);
  }
}

main().catch((err) => fail(err.message));
