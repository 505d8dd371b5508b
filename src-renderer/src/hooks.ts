/** Side effects of the studio: backend events, preview requests, playback and keyboard shortcuts. */
import { useEffect } from 'react';
import { runCommand, runKeyCommand } from './commands';
import { jobTrimOut } from '../../src-shared/timeline';
import { drivingTrackFor } from '../../src-shared/requests';
import { api } from './api-client';
import { useFraming } from './stores/framing';
import { useModels } from './stores/models';
import { usePreview } from './stores/preview';
import { useProject } from './stores/project';
import { currentProject, useProjectFile } from './stores/project-file';
import { useQueue } from './stores/queue';
import { useSettings } from './stores/settings';
import { useTimeline } from './stores/timeline';

export function useBackendEvents(): void {
  useEffect(() => {
    void useModels.getState().load(api);
    void useQueue.getState().refresh(api);
    void useProjectFile.getState().loadRecent(api);
    void api.invoke('takeLaunchProject').then(
      (file) => {
        if (file) void useProjectFile.getState().open(api, file);
      },
      () => undefined,
    );
    return api.onEvent((event) => {
      if (event.type === 'queue') useQueue.getState().replace(event.items);
      else if (event.type === 'openProject') void useProjectFile.getState().open(api, event.path);
      else if (event.type === 'import')
        useModels.setState({ importProgress: { done: event.done, total: event.total } });
    });
  }, []);
}

/** Ask for a new inspection when anything it depends on changes (the store keeps one in flight). */
export function useInspection(): void {
  const modelId = useModels((s) => s.selectedId);
  const source = useProject((s) => s.source);
  const driving = useProject((s) => s.driving);
  const sourceCrop = useProject((s) => s.sourceCrop);
  const drivingCrop = useProject((s) => s.drivingCrop);
  const drivingTrack = useProject((s) => s.drivingTrack);
  const followSubject = useSettings((s) => s.settings.followSubject);
  const playhead = useTimeline((s) => s.playhead);
  const trimIn = useTimeline((s) => s.trimIn);
  // While the clip plays in its video element the frames are on screen already; the model
  // preview catches up when playback stops.
  const videoPlaying = useTimeline((s) => s.playing && s.videoClock && s.rate > 0);
  const { mode, adaptScale, relativeJacobian, pasteBack, maxOutputSide } = useSettings((s) => s.settings);
  useEffect(() => {
    if (!modelId || !source || videoPlaying) return;
    const timer = setTimeout(() => {
      void usePreview.getState().request(api, {
        modelId,
        sourcePath: source.path,
        drivingPath: driving?.path ?? null,
        time: playhead,
        referenceTime: trimIn,
        sourceCrop,
        drivingCrop,
        drivingTrack: drivingTrackFor(drivingTrack, { followSubject }),
        settings: { mode, adaptScale, relativeJacobian, pasteBack, maxOutputSide },
      });
    }, 80);
    return () => clearTimeout(timer);
  }, [
    modelId,
    source,
    driving,
    sourceCrop,
    drivingCrop,
    drivingTrack,
    followSubject,
    playhead,
    trimIn,
    videoPlaying,
    mode,
    adaptScale,
    relativeJacobian,
    pasteBack,
    maxOutputSide,
  ]);
}

/**
 * Playback without a playable video element (a clip the browser cannot decode, or J backwards):
 * step the playhead on a timer, bounded by how fast the engine's frames arrive.
 */
export function usePlayback(): void {
  const playing = useTimeline((s) => s.playing);
  const videoClock = useTimeline((s) => s.videoClock);
  const rate = useTimeline((s) => s.rate);
  const fps = useTimeline((s) => s.fps);
  useEffect(() => {
    if (!playing || (videoClock && rate > 0)) return;
    const frames = Math.sign(rate) * Math.max(1, Math.round((fps * Math.abs(rate)) / 8));
    const timer = setInterval(() => {
      if (!usePreview.getState().loading || videoClock) useTimeline.getState().tick(frames);
    }, 125);
    return () => clearInterval(timer);
  }, [playing, videoClock, rate, fps]);
}

/** The editor's keys (the command registry's, listed on `?`). Typing in a text field is left alone. */
export function useShortcuts(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      const typing = Boolean(
        target &&
        (['SELECT', 'TEXTAREA'].includes(target.tagName) ||
          (target.tagName === 'INPUT' &&
            (target as HTMLInputElement).type !== 'range' &&
            (target as HTMLInputElement).type !== 'checkbox')),
      );
      // Also stops a focused range input from moving by its own step on top of ours.
      if (runKeyCommand(e, typing)) e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

/** Whole frames for the crop editors, and an automatic framing proposal for each new pair of files. */
export function useFramingFrames(): void {
  const modelId = useModels((s) => s.selectedId);
  const source = useProject((s) => s.source);
  const driving = useProject((s) => s.driving);
  const trimIn = useTimeline((s) => s.trimIn);
  useEffect(() => {
    if (source) void useFraming.getState().loadSourceFrame(api, source.path);
  }, [source]);
  useEffect(() => {
    if (!driving) return;
    const timer = setTimeout(
      () => void useFraming.getState().loadDrivingFrame(api, driving.path, trimIn),
      150,
    );
    return () => clearTimeout(timer);
  }, [driving, trimIn]);
  useEffect(() => {
    if (!modelId || !source) return;
    const { trimIn: tIn, trimOut, duration } = useTimeline.getState();
    const drivingPath = driving?.path ?? null;
    // An opened project marks its own files as framed, so its saved crops stay.
    const prev = useFraming.getState().framedFor;
    const modelChanged = prev.modelId !== modelId;
    const apply = {
      source: modelChanged || prev.source !== source.path,
      driving: modelChanged || prev.driving !== (drivingPath ?? ''),
    };
    useFraming.setState({ framedFor: { modelId, source: source.path, driving: drivingPath ?? '' } });
    void useFraming.getState().detect(
      api,
      {
        modelId,
        sourcePath: source.path,
        drivingPath,
        trimIn: tIn,
        trimOut: jobTrimOut({ trimIn: tIn, trimOut }, duration),
      },
      apply,
    );
  }, [modelId, source, driving]);
}

/** The desktop menu's commands run as the keys and buttons run them. */
export function useMenu(): void {
  useEffect(
    () =>
      api.onEvent((event) => {
        if (event.type === 'menu') runCommand(event.action);
      }),
    [],
  );
}

/**
 * Autosave: a second after the studio last changed, its state is written as this run's session,
 * so a crash or a closed window loses nothing. The offer to restore the previous run's session
 * comes first; nothing is saved before a photo or a clip is loaded.
 */
export function useAutosave(): void {
  useEffect(() => {
    void useProjectFile.getState().findLastSession(api);
    let timer: ReturnType<typeof setTimeout> | undefined;
    let saved = '';
    const schedule = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        const doc = currentProject();
        // The playhead and previews change the stores too, but not the session.
        const body = JSON.stringify(doc);
        if ((!doc.sourcePath && !doc.drivingPath) || body === saved) return;
        saved = body;
        api.invoke('saveSession', doc).catch((err: Error) => {
          saved = '';
          useProjectFile.setState({ status: `Autosave failed: ${err.message}` });
        });
      }, 1000);
    };
    const stores = [useProject, useTimeline, useSettings, useModels] as const;
    const unsubscribe = stores.map((store) => store.subscribe(schedule));
    return () => {
      clearTimeout(timer);
      unsubscribe.forEach((u) => u());
    };
  }, []);
}

/** The window title names the project and marks unsaved changes, as desktop editors do. */
export function useDocumentTitle(): void {
  const path = useProjectFile((s) => s.path);
  const savedBody = useProjectFile((s) => s.savedBody);
  useEffect(() => {
    const update = () => {
      const doc = currentProject();
      const empty = !doc.sourcePath && !doc.drivingPath;
      const dirty = !empty && JSON.stringify(doc) !== savedBody;
      const name = path ? (path.split(/[\\/]/).pop() ?? path) : 'Untitled';
      document.title = `${dirty ? '● ' : ''}${name} — Marionette`;
    };
    update();
    const stores = [useProject, useTimeline, useSettings, useModels] as const;
    const unsubscribe = stores.map((store) => store.subscribe(update));
    return () => unsubscribe.forEach((u) => u());
  }, [path, savedBody]);
}
