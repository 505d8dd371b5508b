/** What the studio shows around the work: the shortcut list and how the preview is compared. */
import { create } from 'zustand';

/** The composited preview: the result, the photo before, or both side by side. */
export type PreviewView = 'result' | 'before' | 'side';

export interface UiState {
  helpOpen: boolean;
  previewView: PreviewView;
  toggleHelp(): void;
  closeHelp(): void;
  setPreviewView(view: PreviewView): void;
  /** B: flip between the result and the photo as it was (from side by side: the photo). */
  toggleBefore(): void;
}

export const useUi = create<UiState>((set) => ({
  helpOpen: false,
  previewView: 'result',
  toggleHelp: () => set((s) => ({ helpOpen: !s.helpOpen })),
  closeHelp: () => set({ helpOpen: false }),
  setPreviewView: (previewView) => set({ previewView }),
  toggleBefore: () => set((s) => ({ previewView: s.previewView === 'before' ? 'result' : 'before' })),
}));
