/** What the studio shows around the work: the shortcut list. */
import { create } from 'zustand';

export interface UiState {
  helpOpen: boolean;
  toggleHelp(): void;
  closeHelp(): void;
}

export const useUi = create<UiState>((set) => ({
  helpOpen: false,
  toggleHelp: () => set((s) => ({ helpOpen: !s.helpOpen })),
  closeHelp: () => set({ helpOpen: false }),
}));
