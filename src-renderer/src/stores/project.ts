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
  error: string | null;
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
  clearError(): void;
  fail(message: string): void;
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
  async loadSource(api, path) {
    try {
      const source = await api.invoke('probeMedia', path);
      set({ source, sourceCrop: null, error: null });
      return true;
    } catch (err) {
      set({ error: (err as Error).message });
      return false;
    }
  },
  async loadDriving(api, path) {
    try {
      const driving = await api.invoke('probeMedia', path);
      if (driving.kind !== 'video')
        throw new Error(`${path} is a still image; pick a video to drive the motion`);
      set({ driving, drivingCrop: null, drivingTrack: null, thumbnails: [], error: null });
      const thumbnails = await api.invoke('thumbnails', path, 8, null);
      set({ thumbnails });
      return true;
    } catch (err) {
      set({ error: (err as Error).message });
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
    set({ ...files, error: null });
  },
  clearError() {
    set({ error: null });
  },
  fail(message) {
    set({ error: message });
  },
}));
