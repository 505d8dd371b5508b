/** Plain drawing functions for the keypoint overlay; React only owns the <canvas>. */
import type { KeypointsJson } from '../../../src-shared/inspect';
import { keypointCss, keypointOnPicture } from '../../../src-shared/motion/palette';

/** Each keypoint as a dot, and its Jacobian as the image of a circle: the local affine motion. */
export function drawKeypoints(
  ctx: CanvasRenderingContext2D,
  kp: KeypointsJson,
  width: number,
  height: number,
  /** The model image's side the keypoints were found on (the canvas shows it scaled). */
  modelSize = width,
): void {
  ctx.clearRect(0, 0, width, height);
  const count = kp.value.length / 2;
  const radius = Math.max(3, width / 80);
  const ellipse = Math.max(8, width / 14);
  for (let k = 0; k < count; k++) {
    const x = keypointOnPicture(kp.value[2 * k]!, modelSize, width);
    const y = keypointOnPicture(kp.value[2 * k + 1]!, modelSize, height);
    const [a, b, c, d] = kp.jacobian.slice(4 * k, 4 * k + 4) as [number, number, number, number];
    ctx.strokeStyle = ctx.fillStyle = keypointCss(k);
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    for (let s = 0; s <= 48; s++) {
      const t = (2 * Math.PI * s) / 48;
      const ux = Math.cos(t) * ellipse;
      const uy = Math.sin(t) * ellipse;
      const px = x + a * ux + b * uy;
      const py = y + c * ux + d * uy;
      if (s === 0) ctx.moveTo(px, py);
      else ctx.lineTo(px, py);
    }
    ctx.stroke();
    ctx.beginPath();
    ctx.arc(x, y, radius, 0, 2 * Math.PI);
    ctx.fill();
  }
}
