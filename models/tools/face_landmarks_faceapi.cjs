// face-api's own 68-point landmark networks and expression network (TensorFlow.js, WebAssembly
// backend) on 112x112 faces, the reference fomm/face_landmark_net.py is tested against.
//
//   node face_landmarks_faceapi.cjs tiny|full|expression COUNT < faces.rgb
//
// stdin: COUNT raw RGB24 frames of 112x112. stdout: one line per frame: 136 numbers (x, y of each
// point, relative to the frame), or for expression the 7 probabilities (face-api's order).
'use strict';
const path = require('node:path');

const SIDE = 112;
const NETS = { tiny: 'faceLandmark68TinyNet', full: 'faceLandmark68Net', expression: 'faceExpressionNet' };

async function main() {
  const [variant, countText] = process.argv.slice(2, 4);
  const count = Number(countText);
  if (!Object.hasOwn(NETS, variant) || !(count > 0)) {
    process.stderr.write('usage: node face_landmarks_faceapi.cjs tiny|full|expression COUNT < faces.rgb\n');
    process.exit(2);
  }
  const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
  await faceapi.tf.setBackend('wasm');
  await faceapi.tf.ready();
  const dir = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
  const net = faceapi.nets[NETS[variant]];
  await net.loadFromDisk(dir);
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const data = Buffer.concat(chunks);
  const frameBytes = SIDE * SIDE * 3;
  if (data.length !== count * frameBytes) {
    process.stderr.write(`expected ${count * frameBytes} bytes of RGB, got ${data.length}\n`);
    process.exit(2);
  }
  for (let i = 0; i < count; i++) {
    const image = faceapi.tf.tensor3d(data.subarray(i * frameBytes, (i + 1) * frameBytes), [SIDE, SIDE, 3], 'int32');
    const points = await net.forward(image);
    process.stdout.write(`${Array.from(points.dataSync(), (v) => v.toFixed(7)).join(' ')}\n`);
    image.dispose();
    points.dispose();
  }
}

main().catch((err) => {
  process.stderr.write(`${err.stack || err}\n`);
  process.exit(1);
});
