/** The source image and the driving clip the user picked, as the backend describes them. */
import { create } from 'zustand';
import type { MarionetteBridge, MediaSummary } from '../../../src-shared/api';
import type { CropBox, CropTrack } from '../../../src-shared/job';

export interface ProjectState {
  source: MediaSummary | null;
  driving: MediaSummary | null;
  sourceCrop: CropBox | null;
  drivingCrop: CropBox | null;
  /** The automatic square that follows the subject; a manual driving crop replaces it. */
  drivingTrack: CropTrack | null;
  thumbnails: string[];
  /** A failure that belongs to no one field (e.g. a file dropped in a browser). */
  error: string | null;
  /** What went wrong loading a photo / a clip: shown beside its field; the last good file stays. */
  sourceError: string | null;
  drivingError: string | null;
  loadSource(api: MarionetteBridge, path: string): Promise<boolean>;
  loadDriving(api: MarionetteBridge, path: string): Promise<boolean>;
  setSourceCrop(crop: CropBox | null): void;
  setDrivingCrop(crop: CropBox | null): void;
  /** Automatic framing's answer for the driving clip: its stable square and its moving one. */
  setDrivingFraming(crop: CropBox, track: CropTrack | null): void;
  /** Replace files and crops at once, as an opened project file has them. */
  restore(files: {
    source: MediaSummary | null;
    driving: MediaSummary | null;
    thumbnails: string[];
    sourceCrop: CropBox | null;
    drivingCrop: CropBox | null;
    drivingTrack: CropTrack | null;
  }): void;
  clearError(side?: 'source' | 'driving'): void;
  fail(message: string, side?: 'source' | 'driving'): void;
}

export { centredCrop } from '../../../src-shared/framing/crop';

export const useProject = create<ProjectState>((set) => ({
  source: null,
  driving: null,
  sourceCrop: null,
  drivingCrop: null,
  drivingTrack: null,
  thumbnails: [],
  error: null,
  sourceError: null,
  drivingError: null,
  // A load reads and checks everything first and changes the studio only when all of it worked:
  // a bad file leaves the last good one (and its trim, crop and preview) in place.
  async loadSource(api, path) {
    try {
      const source = await api.invoke('probeMedia', path);
      if (source.kind !== 'image') throw new Error(`${path} is a video; pick a photo to animate`);
      // The photo must decode, not only probe (a truncated JPEG probes fine).
      await api.invoke('fullFrame', path, 0, 64);
      set({ source, sourceCrop: null, sourceError: null });
      return true;
    } catch (err) {
      set({ sourceError: (err as Error).message });
      return false;
    }
  },
  async loadDriving(api, path) {
    try {
      const driving = await api.invoke('probeMedia', path);
      if (driving.kind !== 'video')
        throw new Error(`${path} is a still image; pick a video to drive the motion`);
      const thumbnails = await api.invoke('thumbnails', path, 8, null);
      set({ driving, drivingCrop: null, drivingTrack: null, thumbnails, drivingError: null });
      return true;
    } catch (err) {
      set({ drivingError: (err as Error).message });
      return false;
    }
  },
  setSourceCrop(crop) {
    set({ sourceCrop: crop });
  },
  setDrivingCrop(crop) {
    set({ drivingCrop: crop, drivingTrack: null });
  },
  setDrivingFraming(crop, track) {
    set({ drivingCrop: crop, drivingTrack: track });
  },
  restore(files) {
    set({ ...files, error: null, sourceError: null, drivingError: null });
  },
  clearError(side) {
    if (side === 'source') set({ sourceError: null });
    else if (side === 'driving') set({ drivingError: null });
    else set({ error: null });
  },
  fail(message, side) {
    if (side === 'source') set({ sourceError: message });
    else if (side === 'driving') set({ drivingError: message });
    else set({ error: message });
  },
}));
