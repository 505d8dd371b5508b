/** Paste-back of the animated square into the source photo, at the photo's (capped) resolution. */
import { centredCrop } from '../../src-shared/framing/crop.js';
import {
  featherMask,
  pasteBack,
  pasteBackSize,
  resizeRgb,
  scaledBox,
  type FrameSize,
} from '../../src-shared/framing/composite.js';
import type { CropBox } from '../../src-shared/job.js';
import { detailPatch, type FrameMotion } from '../../src-shared/framing/detail.js';
import type { MediaInfo } from '../media/probe.js';
import { decodeSingleFrame } from '../media/frame-source.js';

/** Feather width as a fraction of the pasted square's side. */
const FEATHER = 0.08;

export class PasteBack {
  private constructor(
    readonly size: FrameSize,
    readonly box: CropBox,
    readonly photo: Uint8Array,
    private readonly mask: Float32Array,
  ) {}

  static async open(
    sourcePath: string,
    info: MediaInfo,
    crop: CropBox | null,
    maxSide: number,
    signal: AbortSignal,
  ): Promise<PasteBack> {
    const size = pasteBackSize(info.width, info.height, maxSide);
    const photo = await decodeSingleFrame(
      { input: sourcePath, width: size.width, height: size.height, crop: 'full', strict: true },
      'source image',
      signal,
    );
    const box = scaledBox(crop ?? centredCrop(info.width, info.height), size);
    return new PasteBack(
      size,
      box,
      photo,
      featherMask(box.size, Math.max(2, Math.round(box.size * FEATHER))),
    );
  }

  /**
   * One output frame from one model-resolution result. Given the frame's motion, visible regions
   * come from the photo warped at full resolution rather than the upscaled result.
   */
  compose(result: Uint8Array, width: number, height: number, motion?: FrameMotion): Uint8Array {
    const upscaled = resizeRgb(result, width, height, this.box.size, this.box.size);
    const patch = motion
      ? detailPatch(this.photo, this.size.width, this.size.height, this.box, upscaled, motion)
      : upscaled;
    return pasteBack(this.photo, this.size.width, this.size.height, patch, this.box, this.mask);
  }
}
