/** The render queue as the backend reports it (events), and the actions on it. */
import { create } from 'zustand';
import type { EnqueueArgs, MarionetteBridge, QueueItem } from '../../../src-shared/api';

export interface QueueState {
  items: QueueItem[];
  error: string | null;
  replace(items: QueueItem[]): void;
  refresh(api: MarionetteBridge): Promise<void>;
  /** Queue a render here, or on the farm at `farm` (a Redis address). */
  enqueue(api: MarionetteBridge, job: EnqueueArgs, farm?: string | null): Promise<QueueItem | null>;
  act(api: MarionetteBridge, action: 'cancelJob' | 'retryJob' | 'removeJob', id: string): Promise<void>;
}

export const useQueue = create<QueueState>((set) => ({
  items: [],
  error: null,
  replace(items) {
    set({ items });
  },
  async refresh(api) {
    set({ items: await api.invoke('listQueue') });
  },
  async enqueue(api, job, farm = null) {
    try {
      const item = farm ? await api.invoke('enqueueOnFarm', job, farm) : await api.invoke('enqueue', job);
      set((s) => ({
        items: s.items.some((i) => i.id === item.id) ? s.items : [...s.items, item],
        error: null,
      }));
      return item;
    } catch (err) {
      set({ error: (err as Error).message });
      return null;
    }
  },
  async act(api, action, id) {
    try {
      await api.invoke(action, id);
      set({ error: null });
    } catch (err) {
      set({ error: (err as Error).message });
    }
  },
}));
