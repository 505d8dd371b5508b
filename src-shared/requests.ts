/**
 * One rule for how the studio's state or a saved project becomes the engine's requests, so that
 * a project renders the same way from the studio, from `marionette animate --project` and in the
 * engine itself: the moving driving square is used only when "driving crop follows the face" is
 * on; otherwise the stable square is.
 */
import type { CropBox, CropTrack, JobSpec, RenderSettings } from './job.js';

/** What the driving side is cropped with: the moving square when following, else the stable one. */
export function drivingFraming(job: {
  drivingCrop: CropBox | null;
  drivingTrack: CropTrack | null;
  settings: Pick<RenderSettings, 'followSubject'>;
}): CropBox | CropTrack | null {
  return job.settings.followSubject && job.drivingTrack ? job.drivingTrack : job.drivingCrop;
}

/** The track a job carries: only when the settings say the crop follows the face. */
export function drivingTrackFor(
  track: CropTrack | null,
  settings: Pick<RenderSettings, 'followSubject'>,
): CropTrack | null {
  return settings.followSubject ? track : null;
}

/** The studio's state or a project as a render request (without the model, which each side resolves). */
export function renderRequest(state: {
  sourcePath: string;
  drivingPath: string;
  outputPath: string;
  trimIn: number;
  trimOut: number | null;
  sourceCrop: CropBox | null;
  sourceFace?: number | null;
  drivingCrop: CropBox | null;
  drivingTrack: CropTrack | null;
  settings: RenderSettings;
  overwrite?: boolean;
}): Omit<JobSpec, 'modelDir'> {
  return {
    sourcePath: state.sourcePath,
    drivingPath: state.drivingPath,
    outputPath: state.outputPath,
    overwrite: state.overwrite ?? false,
    trimIn: state.trimIn,
    trimOut: state.trimOut,
    sourceCrop: state.sourceCrop,
    sourceFace: state.sourceFace ?? null,
    drivingCrop: state.drivingCrop,
    drivingTrack: drivingTrackFor(state.drivingTrack, state.settings),
    settings: state.settings,
  };
}

/** A range preview's longer side: small enough to render fast, large enough to judge the motion. */
export const RANGE_PREVIEW_SIDE = 360;

/**
 * How a quick preview of the trimmed range differs from the render it previews: the same motion
 * settings, written small (paste-back capped at RANGE_PREVIEW_SIDE; the model's square as it is)
 * as an H.264 MP4 of lower quality, with no extra outputs.
 */
export function rangePreviewSettings(settings: RenderSettings): RenderSettings {
  return {
    ...settings,
    exportFormat: 'h264',
    maxOutputSide: Math.min(settings.maxOutputSide, RANGE_PREVIEW_SIDE),
    outputSize: settings.outputSize === null ? null : Math.min(settings.outputSize, RANGE_PREVIEW_SIDE),
    crf: Math.max(settings.crf, 28),
    sideBySide: false,
    occlusionVideo: false,
    keypointOverlay: false,
    keypointsJson: false,
  };
}
