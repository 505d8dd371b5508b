/**
 * The studio's render request read from its stores (the one place App's Render, the batch-less
 * range preview and the P key build it), and the quick preview of the trimmed range.
 */
import { create } from 'zustand';
import type { EnqueueArgs, MarionetteBridge } from '../../../src-shared/api';
import { renderRequest } from '../../../src-shared/requests';
import { jobTrimOut } from '../../../src-shared/timeline';
import { useModels } from './models';
import { useProject } from './project';
import { useQueue } from './queue';
import { useSettings } from './settings';
import { useTimeline } from './timeline';

/** What Render would queue now, or null while the model, photo or clip is missing. */
export function studioRenderRequest(outputPath: string): EnqueueArgs | null {
  const modelId = useModels.getState().selectedId;
  const project = useProject.getState();
  const { trimIn, trimOut, duration } = useTimeline.getState();
  if (!modelId || !project.source || !project.driving) return null;
  return {
    modelId,
    ...renderRequest({
      sourcePath: project.source.path,
      drivingPath: project.driving.path,
      outputPath,
      trimIn,
      trimOut: jobTrimOut({ trimIn, trimOut }, duration),
      sourceCrop: project.sourceCrop,
      drivingCrop: project.drivingCrop,
      drivingTrack: project.drivingTrack,
      settings: useSettings.getState().settings,
    }),
  };
}

export interface RangePreviewState {
  /** The queue job rendering (or that rendered) the newest range preview. */
  jobId: string | null;
  error: string | null;
  start(api: MarionetteBridge): Promise<void>;
  close(): void;
}

export const useRangePreview = create<RangePreviewState>((set) => ({
  jobId: null,
  error: null,
  async start(api) {
    const request = studioRenderRequest('range-preview');
    if (!request) {
      set({ error: 'Load a photo and a clip first: the preview renders the trimmed range.' });
      return;
    }
    const job: Omit<EnqueueArgs, 'outputPath'> = { ...request };
    delete (job as Partial<EnqueueArgs>).outputPath;
    try {
      const item = await api.invoke('previewRange', job);
      useQueue.setState((s) => ({
        items: s.items.some((i) => i.id === item.id) ? s.items : [...s.items, item],
      }));
      set({ jobId: item.id, error: null });
    } catch (err) {
      set({ error: (err as Error).message });
    }
  },
  close() {
    set({ jobId: null });
  },
}));
