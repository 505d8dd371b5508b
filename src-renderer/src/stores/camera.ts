/**
 * The camera as the driving side: which camera, the live preview's state and measures, and
 * recorded takes. The stream itself lives here so the panel can come and go; the frame loop
 * lives in the panel (it needs the video element).
 */
import { create } from 'zustand';
import type { MarionetteBridge } from '../../../src-shared/api';
import type { LiveStats } from '../../../src-shared/live';

export interface CameraDevice {
  id: string;
  label: string;
}

export interface CameraState {
  open: boolean;
  devices: CameraDevice[];
  deviceId: string | null;
  stream: MediaStream | null;
  starting: boolean;
  error: string | null;
  /** One run of the camera: the engine keeps its neutral pose under this id. */
  session: string;
  /** The next frame sent is taken as the neutral pose. */
  neutralRequested: boolean;
  neutralSet: boolean;
  /** The camera's pose matches the photo's: a good moment to Set neutral. */
  suggestNeutral: boolean;
  stats: LiveStats;
  /** Show the frame pasted back into the photo; turned off by itself when the preview cannot keep up. */
  pasteBack: boolean;
  /** Why paste-back was turned off, when it was turned off for the user. */
  pasteBackNote: string | null;
  setPasteBack(on: boolean): void;
  recorder: MediaRecorder | null;
  recordingSince: number | null;
  savingTake: boolean;
  setOpen(open: boolean): void;
  listDevices(): Promise<void>;
  start(deviceId?: string | null): Promise<void>;
  stop(): void;
  requestNeutral(): void;
  startRecording(): void;
  /** Stop recording and keep the take; resolves to its path (or null when it could not be kept). */
  stopRecording(api: MarionetteBridge): Promise<string | null>;
}

const newSession = () => `cam-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

function cameraError(err: unknown): string {
  const name = (err as { name?: string }).name;
  if (name === 'NotAllowedError') return 'The camera was not allowed: allow it for the studio and try again.';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'No camera found.';
  if (name === 'NotReadableError') return 'The camera is busy in another application.';
  return `The camera could not start: ${(err as Error).message}`;
}

/** A recording's type that this browser can write, WebM with sound first. */
function recordingType(): string | undefined {
  const types = ['video/webm;codecs=vp8,opus', 'video/webm;codecs=vp9,opus', 'video/webm'];
  return types.find((t) => typeof MediaRecorder !== 'undefined' && MediaRecorder.isTypeSupported(t));
}

let chunks: Blob[] = [];

export const useCamera = create<CameraState>((set, get) => ({
  open: false,
  devices: [],
  deviceId: null,
  stream: null,
  starting: false,
  error: null,
  session: newSession(),
  neutralRequested: false,
  neutralSet: false,
  suggestNeutral: false,
  stats: { fps: 0, latencyMs: 0, engineMs: 0 },
  pasteBack: true,
  pasteBackNote: null,
  setPasteBack(pasteBack) {
    set({ pasteBack, pasteBackNote: null });
  },
  recorder: null,
  recordingSince: null,
  savingTake: false,
  setOpen(open) {
    if (!open) get().stop();
    set({ open });
  },
  async listDevices() {
    const all = await navigator.mediaDevices.enumerateDevices();
    const devices = all
      .filter((d) => d.kind === 'videoinput')
      .map((d, i) => ({ id: d.deviceId, label: d.label || `Camera ${i + 1}` }));
    set({ devices });
  },
  async start(deviceId = get().deviceId) {
    get().stop();
    set({ starting: true, error: null });
    const video: MediaTrackConstraints = deviceId ? { deviceId: { exact: deviceId } } : {};
    try {
      // With the microphone when there is one (takes keep their sound); without it otherwise.
      const stream = await navigator.mediaDevices
        .getUserMedia({ video, audio: true })
        .catch(() => navigator.mediaDevices.getUserMedia({ video, audio: false }));
      const id = stream.getVideoTracks()[0]?.getSettings().deviceId ?? deviceId ?? null;
      set({
        stream,
        deviceId: id,
        starting: false,
        session: newSession(),
        neutralSet: false,
        suggestNeutral: false,
      });
      await get().listDevices();
    } catch (err) {
      set({ starting: false, error: cameraError(err) });
    }
  },
  stop() {
    const { stream, recorder } = get();
    if (recorder && recorder.state !== 'inactive') recorder.stop();
    stream?.getTracks().forEach((t) => t.stop());
    set({ stream: null, recorder: null, recordingSince: null, stats: { fps: 0, latencyMs: 0, engineMs: 0 } });
  },
  requestNeutral() {
    set({ neutralRequested: true });
  },
  startRecording() {
    const { stream } = get();
    if (!stream || get().recorder) return;
    const type = recordingType();
    const recorder = new MediaRecorder(stream, type ? { mimeType: type } : {});
    chunks = [];
    recorder.ondataavailable = (e) => {
      if (e.data.size > 0) chunks.push(e.data);
    };
    recorder.start(250);
    set({ recorder, recordingSince: Date.now(), error: null });
  },
  async stopRecording(api) {
    const { recorder } = get();
    if (!recorder) return null;
    const stopped = new Promise<void>((resolve) => (recorder.onstop = () => resolve()));
    recorder.stop();
    await stopped;
    set({ recorder: null, recordingSince: null, savingTake: true });
    const blob = new Blob(chunks, { type: recorder.mimeType || 'video/webm' });
    chunks = [];
    try {
      const staged = api.upload
        ? await api.upload(new File([blob], 'take.webm', { type: blob.type }), 'video')
        : api.stageRecording
          ? await api.stageRecording(await blob.arrayBuffer())
          : null;
      if (!staged) throw new Error('this studio cannot keep recordings');
      return await api.invoke('keepTake', staged);
    } catch (err) {
      set({ error: `The take could not be kept: ${(err as Error).message}` });
      return null;
    } finally {
      set({ savingTake: false });
    }
  },
}));
