/**
 * Offline face detection with landmarks: @vladmandic/face-api's SSD-MobileNet detector and 68-point
 * landmark net, whose weights ship inside the npm package, on TensorFlow.js's WebAssembly backend
 * (no native add-on, no GPU, no download). Loaded lazily, once per process.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as FaceApiModule from '@vladmandic/face-api';
import type { Point } from '../../src-shared/framing/crop.js';

export interface DetectedFace {
  score: number;
  box: { x: number; y: number; width: number; height: number };
  landmarks: Point[];
}

type FaceApi = typeof FaceApiModule;

let loading: Promise<FaceApi> | null = null;

async function load(): Promise<FaceApi> {
  const require = createRequire(import.meta.url);
  const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApi;
  // The bundled tfjs typings omit the backend registry; these two calls exist at runtime.
  const tf = faceapi.tf as unknown as { setBackend(name: string): Promise<boolean>; ready(): Promise<void> };
  if (!(await tf.setBackend('wasm'))) throw new Error('the WebAssembly backend did not initialise');
  await tf.ready();
  const modelDir = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
  await faceapi.nets.ssdMobilenetv1.loadFromDisk(modelDir);
  await faceapi.nets.faceLandmark68Net.loadFromDisk(modelDir);
  return faceapi;
}

export function faceApi(): Promise<FaceApi> {
  loading ??= load().catch((err: unknown) => {
    loading = null;
    throw new Error(`the face detector could not start: ${(err as Error).message}`);
  });
  return loading;
}

/**
 * Faces in an RGB24 image, best first. The image is padded by half its size on every side first:
 * SSD misses faces that fill the frame (as in tightly cropped portraits) without a margin.
 */
export async function detectFaces(
  rgb: Uint8Array,
  width: number,
  height: number,
  minScore = 0.3,
): Promise<DetectedFace[]> {
  const api = await faceApi();
  const pad = Math.round(Math.max(width, height) / 2);
  const W = width + 2 * pad;
  const H = height + 2 * pad;
  const padded = new Uint8Array(W * H * 3).fill(128);
  for (let y = 0; y < height; y++)
    padded.set(rgb.subarray(y * width * 3, (y + 1) * width * 3), ((y + pad) * W + pad) * 3);
  const tensor = api.tf.tensor3d(padded, [H, W, 3], 'int32');
  try {
    const found = await api
      .detectAllFaces(tensor as never, new api.SsdMobilenetv1Options({ minConfidence: minScore }))
      .withFaceLandmarks();
    return found
      .map((f) => ({
        score: f.detection.score,
        box: {
          x: f.detection.box.x - pad,
          y: f.detection.box.y - pad,
          width: f.detection.box.width,
          height: f.detection.box.height,
        },
        landmarks: f.landmarks.positions.map((p) => ({ x: p.x - pad, y: p.y - pad })),
      }))
      .sort((a, b) => b.score * b.box.width - a.score * a.box.width);
  } finally {
    tensor.dispose();
  }
}
