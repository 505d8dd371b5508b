/**
 * Framing: whole frames to draw crop boxes on, and the automatic proposal from the engine. The
 * crops themselves live in the project store, where the render and the preview read them.
 */
import { create } from 'zustand';
import type { z } from 'zod';
import type { FullFrameSchema, MarionetteBridge } from '../../../src-shared/api';
import type { FramingResult } from '../../../src-shared/framing/schema';
import { useProject } from './project';

export type FullFrame = z.infer<typeof FullFrameSchema>;

/** The model and files automatic framing last answered for; a file that differs gets new crops. */
export interface FramedFor {
  modelId: string;
  source: string;
  driving: string;
}

export interface FramingState {
  sourceFrame: FullFrame | null;
  drivingFrame: FullFrame | null;
  proposal: FramingResult | null;
  detecting: boolean;
  error: string | null;
  framedFor: FramedFor;
  loadSourceFrame(api: MarionetteBridge, path: string): Promise<void>;
  loadDrivingFrame(api: MarionetteBridge, path: string, time: number): Promise<void>;
  /**
   * Ask the engine for crops and apply them to the project, replacing manual ones: both for the
   * Auto-frame button; only the side whose file just changed when a file is loaded.
   */
  detect(
    api: MarionetteBridge,
    args: {
      modelId: string;
      sourcePath: string;
      drivingPath: string | null;
      trimIn: number;
      trimOut: number | null;
    },
    apply?: { source: boolean; driving: boolean },
  ): Promise<void>;
  reset(): void;
}

const FRAME_SIDE = 320;

export const useFraming = create<FramingState>((set) => ({
  sourceFrame: null,
  drivingFrame: null,
  proposal: null,
  detecting: false,
  error: null,
  framedFor: { modelId: '', source: '', driving: '' },
  async loadSourceFrame(api, path) {
    try {
      set({ sourceFrame: await api.invoke('fullFrame', path, 0, FRAME_SIDE) });
    } catch (err) {
      set({ sourceFrame: null, error: (err as Error).message });
    }
  },
  async loadDrivingFrame(api, path, time) {
    try {
      set({ drivingFrame: await api.invoke('fullFrame', path, time, FRAME_SIDE) });
    } catch (err) {
      set({ drivingFrame: null, error: (err as Error).message });
    }
  },
  async detect(api, args, apply = { source: true, driving: true }) {
    set({ detecting: true, error: null });
    // Manual edits win: a crop the user changes while the detector runs is not replaced by its answer.
    const before = useProject.getState();
    const asked = { source: before.sourceCrop, driving: before.drivingCrop };
    try {
      const proposal = await api.invoke('detectFraming', args);
      set({ proposal });
      const project = useProject.getState();
      // A proposal for files the user has since replaced is stale.
      if (apply.source && project.source?.path === args.sourcePath && project.sourceCrop === asked.source)
        project.setSourceCrop(proposal.source.crop);
      if (
        apply.driving &&
        proposal.driving &&
        project.driving?.path === args.drivingPath &&
        project.drivingCrop === asked.driving
      )
        project.setDrivingFraming(proposal.driving.crop, proposal.driving.track);
    } catch (err) {
      set({ error: (err as Error).message });
    } finally {
      set({ detecting: false });
    }
  },
  reset() {
    set({ proposal: null, error: null });
  },
}));
