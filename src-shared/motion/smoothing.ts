/**
 * Temporal smoothing of keypoint tracks with the One Euro filter (Casiez et al., CHI 2012): a
 * low-pass filter whose cutoff rises with speed, so jitter at rest is removed while fast motion
 * keeps little lag. Applied to every coordinate and Jacobian entry independently.
 */
import type { Keypoints } from './keypoints.js';

export interface OneEuroParams {
  /** Cutoff (Hz) at rest: lower removes more jitter. */
  minCutoff: number;
  /** How fast the cutoff grows with speed: higher lags less on fast motion. */
  beta: number;
  /** Cutoff (Hz) for the derivative estimate. */
  derivativeCutoff: number;
}

export const defaultSmoothing: OneEuroParams = { minCutoff: 1.0, beta: 0.5, derivativeCutoff: 1.0 };

function alpha(cutoff: number, dt: number): number {
  const tau = 1 / (2 * Math.PI * cutoff);
  return 1 / (1 + tau / dt);
}

/** Filter one scalar signal sampled at `fps`. */
export function oneEuro(signal: readonly number[], fps: number, params: OneEuroParams): number[] {
  if (!(fps > 0)) throw new RangeError('fps must be positive');
  const dt = 1 / fps;
  const out: number[] = [];
  let prev = signal[0] ?? 0;
  let prevDerivative = 0;
  signal.forEach((x, i) => {
    if (i === 0) {
      out.push(x);
      return;
    }
    const derivative = (x - prev) / dt;
    const aD = alpha(params.derivativeCutoff, dt);
    const smoothDerivative = aD * derivative + (1 - aD) * prevDerivative;
    const cutoff = params.minCutoff + params.beta * Math.abs(smoothDerivative);
    const a = alpha(cutoff, dt);
    const y = a * x + (1 - a) * prev;
    out.push(y);
    prev = y;
    prevDerivative = smoothDerivative;
  });
  return out;
}

export function smoothKeypointTrack(
  track: readonly Keypoints[],
  fps: number,
  params: OneEuroParams,
): Keypoints[] {
  if (track.length < 2)
    return track.map((kp) => ({ ...kp, value: kp.value.slice(), jacobian: kp.jacobian.slice() }));
  const numKp = track[0]!.numKp;
  const smoothChannel = (pick: (kp: Keypoints) => Float32Array, size: number): Float32Array[] => {
    const out = track.map(() => new Float32Array(size));
    for (let c = 0; c < size; c++) {
      const filtered = oneEuro(
        track.map((kp) => pick(kp)[c]!),
        fps,
        params,
      );
      filtered.forEach((v, t) => (out[t]![c] = v));
    }
    return out;
  };
  const values = smoothChannel((kp) => kp.value, 2 * numKp);
  const jacobians = smoothChannel((kp) => kp.jacobian, 4 * numKp);
  return track.map((_, t) => ({ numKp, value: values[t]!, jacobian: jacobians[t]! }));
}
