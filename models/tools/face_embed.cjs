// Identity embeddings for the AED metric: @vladmandic/face-api's face recognition network (a
// ResNet-34 trained for face verification, 128-D descriptors; same-person distance < ~0.6), after
// its SSD face detector and 68-point landmark alignment, on TensorFlow.js's WebAssembly backend.
//
//   node face_embed.cjs WIDTH HEIGHT < frames.rgb
//
// stdin: raw RGB24 frames. stdout: one line per frame, "none" (no face) or 128 numbers.
'use strict';
const path = require('node:path');

async function main() {
  const [width, height] = process.argv.slice(2, 4).map(Number);
  if (!(width > 0 && height > 0 && width <= 8192 && height <= 8192)) {
    process.stderr.write('usage: node face_embed.cjs WIDTH HEIGHT < frames.rgb\n');
    process.exit(2);
  }
  const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
  await faceapi.tf.setBackend('wasm');
  await faceapi.tf.ready();
  const dir = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
  await faceapi.nets.ssdMobilenetv1.loadFromDisk(dir);
  await faceapi.nets.faceLandmark68Net.loadFromDisk(dir);
  await faceapi.nets.faceRecognitionNet.loadFromDisk(dir);

  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const data = Buffer.concat(chunks);
  const frameBytes = width * height * 3;
  // Pad each frame: the detector misses faces that fill the whole frame.
  const pad = Math.round(Math.max(width, height) / 2);
  const W = width + 2 * pad;
  const H = height + 2 * pad;
  const options = new faceapi.SsdMobilenetv1Options({ minConfidence: 0.3 });
  for (let offset = 0; offset + frameBytes <= data.length; offset += frameBytes) {
    const padded = new Uint8Array(W * H * 3).fill(128);
    for (let y = 0; y < height; y++) {
      const row = data.subarray(offset + y * width * 3, offset + (y + 1) * width * 3);
      padded.set(row, ((y + pad) * W + pad) * 3);
    }
    const tensor = faceapi.tf.tensor3d(padded, [H, W, 3], 'int32');
    const face = await faceapi.detectSingleFace(tensor, options).withFaceLandmarks().withFaceDescriptor();
    tensor.dispose();
    process.stdout.write(face ? `${Array.from(face.descriptor, (v) => v.toFixed(6)).join(' ')}\n` : 'none\n');
  }
}

main().catch((err) => {
  process.stderr.write(`${err.stack || err}\n`);
  process.exit(1);
});
