/** Render settings with the engine's defaults, and where the MP4 goes. */
import { create } from 'zustand';
import { withFormatExtension, type ExportFormat } from '../../../src-shared/export-format';
import { RenderSettingsSchema, type RenderSettings } from '../../../src-shared/job';

export interface SettingsState {
  settings: RenderSettings;
  outputPath: string;
  update(patch: Partial<RenderSettings>): void;
  /** The output path, renamed to the chosen export format's extension. */
  setOutputPath(path: string): void;
  /** Choose what to export as: the output's name follows (talk.mp4 -> talk.webm). */
  setFormat(format: ExportFormat): void;
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
  setFormat(format) {
    const { outputPath } = get();
    get().update({ exportFormat: format });
    if (outputPath) set({ outputPath: withFormatExtension(outputPath, format) });
  },
}));
