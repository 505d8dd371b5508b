/** Render settings with the engine's defaults, and where the MP4 goes. */
import { create } from 'zustand';
import { withFormatExtension, type ExportFormat } from '../../../src-shared/export-format';
import { describeIssues, RenderSettingsSchema, type RenderSettings } from '../../../src-shared/job';

export interface SettingsState {
  settings: RenderSettings;
  outputPath: string;
  /** Why the last change was refused (the settings stay as they were), or null. */
  error: string | null;
  /** Apply a change; one the engine would refuse is not applied and says why in `error`. */
  update(patch: Partial<RenderSettings>): boolean;
  /** The output path, renamed to the chosen export format's extension. */
  setOutputPath(path: string): void;
  /** Choose what to export as: the output's name follows (talk.mp4 -> talk.webm). */
  setFormat(format: ExportFormat): void;
  /** The render farm's Redis address for batches ('' renders here), remembered across starts. */
  farm: string;
  setFarm(address: string): void;
}

const FARM_KEY = 'marionette.farm';
const rememberedFarm = (): string => {
  try {
    return globalThis.localStorage?.getItem(FARM_KEY) ?? '';
  } catch {
    return '';
  }
};

/** The engine's defaults, except that the studio exports at the photo's resolution. */
export const defaultSettings = (): RenderSettings => RenderSettingsSchema.parse({ pasteBack: true });

export const useSettings = create<SettingsState>((set, get) => ({
  settings: defaultSettings(),
  outputPath: '',
  farm: rememberedFarm(),
  setFarm(farm) {
    set({ farm });
    try {
      globalThis.localStorage?.setItem(FARM_KEY, farm);
    } catch {
      // storage refused (private window): remembered for this run only
    }
  },
  error: null,
  update(patch) {
    const next = RenderSettingsSchema.safeParse({ ...get().settings, ...patch });
    if (next.success) set({ settings: next.data, error: null });
    else set({ error: `Not changed: ${describeIssues(next.error)}` });
    return next.success;
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
