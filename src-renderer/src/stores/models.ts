/** Model manager slice: the catalogue of bundled and imported models, and which one is selected. */
import { create } from 'zustand';
import type { MarionetteBridge, ModelSummary } from '../../../src-shared/api';
import { initialModelId } from '../../../src-shared/studio-guide';

/** The model last selected, remembered across starts (a browser's or the app's local storage). */
const REMEMBER = 'marionette.model';
function remembered(): string | null {
  try {
    return globalThis.localStorage?.getItem(REMEMBER) ?? null;
  } catch {
    return null;
  }
}
function remember(id: string): void {
  try {
    globalThis.localStorage?.setItem(REMEMBER, id);
  } catch {
    /* storage unavailable: not remembered */
  }
}

export interface ModelsState {
  models: ModelSummary[];
  selectedId: string | null;
  loading: boolean;
  error: string | null;
  importing: boolean;
  /** Tensors written of all the model needs, while importing. */
  importProgress: { done: number; total: number } | null;
  load(api: MarionetteBridge): Promise<void>;
  /** Import a published checkpoint, then list and select it. */
  importCheckpoint(api: MarionetteBridge, path: string): Promise<boolean>;
  select(id: string): void;
  /** Remove an imported model, then list the catalogue again. */
  remove(api: MarionetteBridge, id: string): Promise<boolean>;
}

export const useModels = create<ModelsState>((set, get) => ({
  models: [],
  selectedId: null,
  loading: false,
  importing: false,
  importProgress: null,
  error: null,
  async importCheckpoint(api, path) {
    set({ importing: true, importProgress: null, error: null });
    try {
      const model = await api.invoke('importModel', path);
      await get().load(api);
      get().select(model.id);
      return true;
    } catch (err) {
      set({ error: (err as Error).message });
      return false;
    } finally {
      set({ importing: false, importProgress: null });
    }
  },
  async load(api) {
    set({ loading: true, error: null });
    try {
      const models = await api.invoke('listModels');
      const keep = models.some((m) => m.id === get().selectedId);
      set({
        models,
        loading: false,
        selectedId: keep ? get().selectedId : initialModelId(models, remembered()),
      });
    } catch (err) {
      set({ loading: false, error: (err as Error).message });
    }
  },
  async remove(api, id) {
    try {
      await api.invoke('removeModel', id);
      await get().load(api);
      return true;
    } catch (err) {
      set({ error: (err as Error).message });
      return false;
    }
  },
  select(id) {
    if (get().models.some((m) => m.id === id)) {
      set({ selectedId: id });
      remember(id);
    }
  },
}));
