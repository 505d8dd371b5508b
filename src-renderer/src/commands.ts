/**
 * What each command of the registry (src-shared/commands.ts) does in the studio and when it
 * cannot run. The menu, the keys and the buttons all run commands through here.
 */
import { useSyncExternalStore } from 'react';
import {
  ariaKeys,
  commandForKey,
  commandTooltip,
  type CommandId,
  type KeyPress,
} from '../../src-shared/commands';
import { api } from './api-client';
import { loadDriving, loadSource, currentRenderBlocker, render } from './studio-actions';
import { useModels } from './stores/models';
import { useProject } from './stores/project';
import { useProjectFile } from './stores/project-file';
import { useRangePreview } from './stores/range-preview';
import { useSettings } from './stores/settings';
import { useTimeline } from './stores/timeline';
import { useUi } from './stores/ui';

interface CommandAction {
  perform(): void | Promise<unknown>;
  /** Why it cannot run now (shown as the button's tooltip), or null. */
  blocker?(): string | null;
}

const timeline = () => useTimeline.getState();

/** The desktop app has its own dialogs; a browser page has none. */
const desktop = () => Boolean(window.marionette);

async function pick(kind: 'image' | 'video' | 'checkpoint' | 'project'): Promise<string | null> {
  return api.invoke('openFileDialog', kind);
}

export const ACTIONS: Record<CommandId, CommandAction> = {
  playPause: { perform: () => timeline().setPlaying(!timeline().playing) },
  shuttleBack: { perform: () => timeline().shuttle('j') },
  shuttleStop: { perform: () => timeline().shuttle('k') },
  shuttleForward: { perform: () => timeline().shuttle('l') },
  frameBack: { perform: () => timeline().step(-1) },
  frameForward: { perform: () => timeline().step(1) },
  secondBack: { perform: () => timeline().stepSeconds(-1) },
  secondForward: { perform: () => timeline().stepSeconds(1) },
  goToStart: { perform: () => timeline().seek(0) },
  goToEnd: { perform: () => timeline().seek(timeline().duration) },
  markIn: { perform: () => timeline().markIn() },
  markOut: { perform: () => timeline().markOut() },
  goToIn: { perform: () => timeline().goToIn() },
  goToOut: { perform: () => timeline().goToOut() },
  toggleBefore: { perform: () => useUi.getState().toggleBefore() },
  previewRange: { perform: () => useRangePreview.getState().start(api), blocker: currentRenderBlocker },
  openProject: {
    perform: async () => {
      const p = await pick('project');
      if (p) await useProjectFile.getState().open(api, p);
    },
  },
  // The first save of a project asks where, as desktop apps do; a browser saves to the default path.
  saveProject: {
    perform: () => {
      const file = useProjectFile.getState();
      return file.path || !desktop() ? file.save(api) : file.saveAs(api);
    },
  },
  saveProjectAs: {
    perform: () => {
      const file = useProjectFile.getState();
      return desktop() ? file.saveAs(api) : file.save(api);
    },
  },
  openSource: {
    perform: async () => {
      const p = await pick('image');
      if (p) await loadSource(p);
    },
  },
  openDriving: {
    perform: async () => {
      const p = await pick('video');
      if (p) await loadDriving(p);
    },
  },
  importModel: {
    perform: async () => {
      const p = await pick('checkpoint');
      if (p) await useModels.getState().importCheckpoint(api, p);
    },
  },
  render: { perform: render, blocker: currentRenderBlocker },
  toggleHelp: { perform: () => useUi.getState().toggleHelp() },
  closeHelp: { perform: () => useUi.getState().closeHelp() },
};

/** Run a command unless it is blocked; errors surface in the stores it drives. */
export function runCommand(id: CommandId): boolean {
  const action = ACTIONS[id];
  if (action.blocker?.()) return false;
  void action.perform();
  return true;
}

/** A key press → its command, run; true when one ran (the caller then stops the browser's default). */
export function runKeyCommand(e: KeyPress, typing: boolean): boolean {
  const id = commandForKey(e, { typing, desktop: desktop() });
  if (!id) return false;
  runCommand(id);
  return true;
}

const STORES = [useModels, useProject, useSettings, useTimeline, useProjectFile] as const;
const subscribe = (onChange: () => void) => {
  const off = STORES.map((s) => s.subscribe(onChange));
  return () => off.forEach((u) => u());
};

/** What a button needs to run a command: onClick, disabled, its tooltip (the blocker, else what and which keys). */
export function useCommand(id: CommandId): {
  run(): void;
  disabled: boolean;
  title: string;
  'aria-keyshortcuts': string | undefined;
} {
  const blocker = useSyncExternalStore(subscribe, () => ACTIONS[id].blocker?.() ?? null);
  return {
    run: () => void runCommand(id),
    disabled: blocker !== null,
    title: blocker ?? commandTooltip(id),
    'aria-keyshortcuts': ariaKeys(id) || undefined,
  };
}
