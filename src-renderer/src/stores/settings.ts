/** Render settings with the engine's defaults, and where the MP4 goes. */
import { create } from 'zustand';
import { RenderSettingsSchema, type RenderSettings } from '../../../src-shared/job';

export interface SettingsState {
  settings: RenderSettings;
  outputPath: string;
  update(patch: Partial<RenderSettings>): void;
  setOutputPath(path: string): void;
}

/** The engine's defaults, except that the studio exports at the photo's resolution. */
export const defaultSettings = (): RenderSettings => RenderSettingsSchema.parse({ pasteBack: true });

export const useSettings = create<SettingsState>((set, get) => ({
  settings: defaultSettings(),
  outputPath: '',
  update(patch) {
    const next = RenderSettingsSchema.safeParse({ ...get().settings, ...patch });
    if (next.success) set({ settings: next.data });
  },
  setOutputPath(outputPath) {
    set({ outputPath });
  },
}));
