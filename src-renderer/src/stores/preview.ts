/** The inspection at the playhead: keypoints, result, occlusion map and flow. One request in flight. */
import { create } from 'zustand';
import type { InspectArgs, MarionetteBridge } from '../../../src-shared/api';
import type { InspectResult } from '../../../src-shared/inspect';

export interface PreviewState {
  result: InspectResult | null;
  /** The playhead time the shown result is for (stale when the playhead has moved on). */
  resultTime: number | null;
  loading: boolean;
  error: string | null;
  request(api: MarionetteBridge, args: InspectArgs): Promise<void>;
  clear(): void;
}

let inFlight = false;
let queued: { api: MarionetteBridge; args: InspectArgs } | null = null;

export const usePreview = create<PreviewState>((set, get) => ({
  result: null,
  resultTime: null,
  loading: false,
  error: null,
  async request(api, args) {
    // Scrubbing asks faster than the engine answers: keep only the newest request.
    if (inFlight) {
      queued = { api, args };
      return;
    }
    inFlight = true;
    set({ loading: true });
    try {
      const result = await api.invoke('inspect', args);
      set({ result, resultTime: args.time, error: null });
    } catch (err) {
      set({ error: (err as Error).message });
    } finally {
      inFlight = false;
      set({ loading: false });
      const next = queued;
      queued = null;
      if (next) await get().request(next.api, next.args);
    }
  },
  clear() {
    set({ result: null, resultTime: null, error: null });
  },
}));
