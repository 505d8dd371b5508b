/** Exposes exactly one narrow, typed object to the renderer: window.marionette. */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import {
  ApiEventSchema,
  IPC_EVENT,
  IPC_INVOKE,
  IPC_RECORDING,
  type ApiEvent,
  type ApiOutcome,
  type MarionetteBridge,
} from '../../src-shared/api.js';

const bridge: MarionetteBridge = {
  async invoke(method, ...args) {
    const outcome = (await ipcRenderer.invoke(IPC_INVOKE, method, args)) as ApiOutcome;
    if (!outcome.ok) throw new Error(outcome.error);
    return outcome.value as never;
  },
  onEvent(listener: (event: ApiEvent) => void) {
    const handler = (_e: unknown, payload: unknown) => {
      const parsed = ApiEventSchema.safeParse(payload);
      if (parsed.success) listener(parsed.data);
    };
    ipcRenderer.on(IPC_EVENT, handler);
    return () => ipcRenderer.off(IPC_EVENT, handler);
  },
  pathForFile(file) {
    // Sandboxed renderers cannot see paths; Electron resolves a dropped File here.
    if (!(file instanceof File)) return null;
    return webUtils.getPathForFile(file) || null;
  },
  async stageRecording(bytes) {
    const outcome = (await ipcRenderer.invoke(IPC_RECORDING, bytes)) as ApiOutcome;
    if (!outcome.ok) throw new Error(outcome.error);
    return outcome.value as string;
  },
};

contextBridge.exposeInMainWorld('marionette', bridge);
