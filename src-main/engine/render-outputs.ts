/**
 * Everything one render writes, as one object: the main video and the extras a job asks for
 * (side by side, keypoint overlay, occlusion map video, keypoints.json). Each is written to a
 * temporary beside its final name; `finish` publishes the extras first and the main output last,
 * so the main file appears only when everything else succeeded; `abort` removes them all.
 */
import { rm, writeFile } from 'node:fs/promises';
import type { Keypoints } from '../../src-shared/motion/keypoints.js';
import type { Rational } from '../media/ffmpeg-args.js';
import type { ExportFormat } from '../../src-shared/export-format.js';
import type { JobSpec } from '../../src-shared/job.js';
import { publishOutput } from '../media/output-target.js';
import { extraOutputPath } from './job-inputs.js';
import { drawKeypoints, sideBySide } from './overlays.js';
import { mapToGray } from './tensors.js';
import { temporaryPathFor, VideoSink } from './video-sink.js';

export interface AudioRange {
  input: string;
  trimIn: number;
  duration: number | null;
}

export interface OutputsSpec {
  job: JobSpec;
  format: ExportFormat;
  fps: Rational;
  /** The model's square. */
  width: number;
  height: number;
  /** The main output's size when pasted back into the photo; null: the model's square. */
  pasted: { width: number; height: number } | null;
  audio: AudioRange | null;
  /** The source photo at the model's size (the side-by-side's first panel). */
  sourceRgb: Uint8Array;
}

/** One frame of the render: what each output is made of. */
export interface RenderedFrame {
  /** The main output's frame (the model's square, or the photo with it pasted back). */
  frame: Uint8Array;
  /** The model's square as generated. */
  result: Uint8Array;
  /** The occlusion map (occH × occW floats) and the frame's driving keypoints. */
  occlusion: Float32Array;
  kpDriving: Keypoints;
}

export class RenderOutputs {
  private readonly main: VideoSink;
  private readonly sbs: VideoSink | null;
  private readonly overlay: VideoSink | null;
  private occlusion: VideoSink | null = null;
  private jsonTemp: string | null = null;
  private readonly published: string[] = [];

  constructor(
    private readonly spec: OutputsSpec,
    private readonly signal: AbortSignal,
  ) {
    const { job, fps, width, height, pasted, audio, format } = spec;
    const settings = job.settings;
    const base = { fps, crf: settings.crf, outputSize: settings.outputSize, overwrite: job.overwrite };
    this.main = new VideoSink(
      job.outputPath,
      pasted
        ? { ...base, format, width: pasted.width, height: pasted.height, audio, outputSize: null }
        : { ...base, format, width, height, audio },
      signal,
    );
    this.sbs = settings.sideBySide
      ? this.extra(
          () =>
            new VideoSink(
              extraOutputPath(job.outputPath, 'side-by-side.mp4'),
              { ...base, width: 3 * width, height, audio, outputSize: null },
              signal,
            ),
        )
      : null;
    this.overlay = settings.keypointOverlay
      ? this.extra(
          () =>
            new VideoSink(
              extraOutputPath(job.outputPath, 'keypoints.mp4'),
              { ...base, width, height, audio: null },
              signal,
            ),
        )
      : null;
  }

  /** Opens an extra; if that fails, what is already open is stopped before the error goes on. */
  private extra(open: () => VideoSink): VideoSink {
    try {
      return open();
    } catch (err) {
      void this.abort();
      throw err;
    }
  }

  /** Whether a second pass over the driving clip is needed (the extras that show it). */
  get needsDriving(): boolean {
    return Boolean(this.sbs || this.overlay);
  }

  /** Write one frame to every output; `driving` is the clip's frame (when needsDriving). */
  async write(frame: RenderedFrame, occW: number, occH: number, driving: Uint8Array | null): Promise<void> {
    const { job, width, height, fps, sourceRgb } = this.spec;
    await this.main.write(frame.frame);
    if (job.settings.occlusionVideo) {
      this.occlusion ??= new VideoSink(
        extraOutputPath(job.outputPath, 'occlusion.mp4'),
        {
          fps,
          crf: job.settings.crf,
          overwrite: job.overwrite,
          width: occW,
          height: occH,
          audio: null,
          outputSize: job.settings.outputSize ?? width,
          pixelFormat: 'gray',
        },
        this.signal,
      );
      await this.occlusion.write(mapToGray(frame.occlusion, occH * occW));
    }
    if (driving) {
      if (this.sbs) await this.sbs.write(sideBySide([sourceRgb, driving, frame.result], width, height));
      if (this.overlay) await this.overlay.write(drawKeypoints(driving, width, height, frame.kpDriving));
    }
  }

  /** keypoints.json, written now beside its final name and published with the extras. */
  async writeKeypoints(document: unknown): Promise<void> {
    this.jsonTemp = temporaryPathFor(extraOutputPath(this.spec.job.outputPath, 'keypoints.json'));
    await writeFile(this.jsonTemp, JSON.stringify(document));
  }

  /** Publish every output, extras first, the main one last; returns their final paths. */
  async finish(): Promise<{ outputPath: string; extraOutputs: string[] }> {
    for (const sink of [this.sbs, this.overlay, this.occlusion])
      if (sink) this.published.push(await sink.finish());
    if (this.jsonTemp) {
      const jsonPath = extraOutputPath(this.spec.job.outputPath, 'keypoints.json');
      await publishOutput(this.jsonTemp, jsonPath, { overwrite: this.spec.job.overwrite });
      this.jsonTemp = null;
      this.published.push(jsonPath);
    }
    return { outputPath: await this.main.finish(), extraOutputs: [...this.published] };
  }

  /** Stop every encoder and remove every temporary and every extra already published. */
  async abort(): Promise<void> {
    const sinks = [this.main, this.sbs, this.overlay, this.occlusion].filter(
      (s): s is VideoSink => s != null,
    );
    await Promise.all(sinks.map((s) => s.abort().catch(() => undefined)));
    await Promise.all(this.published.map((p) => rm(p, { force: true })));
    if (this.jsonTemp) await rm(this.jsonTemp, { force: true });
  }
}
