/**
 * The project file: saving the studio's state (model, files, trim, framing, settings, output) to a
 * `.marionette` file and restoring the studio from one. Opening reads and checks everything first
 * and changes the studio only when all of it succeeded, so a bad file loses nothing.
 */
import { create } from 'zustand';
import type { MarionetteBridge } from '../../../src-shared/api';
import type { ProjectDoc } from '../../../src-shared/project-file';
import { jobTrimOut } from '../../../src-shared/timeline';
import { useFraming } from './framing';
import { useModels } from './models';
import { useProject } from './project';
import { useSettings } from './settings';
import { useTimeline } from './timeline';

export interface ProjectFileState {
  /** The file the studio was last saved to or opened from. */
  path: string | null;
  /** What the last save or open did, for the status line. */
  status: string | null;
  error: string | null;
  busy: boolean;
  /** The session an earlier run autosaved, while restoring it is on offer. */
  lastSession: string | null;
  /** Projects saved or opened last, newest first. */
  recent: string[];
  /** The studio's state as last saved or opened (JSON): anything else is an unsaved change. */
  savedBody: string | null;
  loadRecent(api: MarionetteBridge): Promise<void>;
  /** Save to `target`, else to the current file, else to the default path for these files. */
  save(api: MarionetteBridge, target?: string): Promise<boolean>;
  /** Ask where to save (the desktop app's dialog), then save there. */
  saveAs(api: MarionetteBridge): Promise<boolean>;
  open(api: MarionetteBridge, file: string): Promise<boolean>;
  /** Ask the backend whether an earlier run left a session, and offer it. */
  findLastSession(api: MarionetteBridge): Promise<void>;
  /** Open the last session as an untitled project: it is not a file of the user's. */
  restoreLastSession(api: MarionetteBridge): Promise<boolean>;
  dismissLastSession(): void;
}

/** The studio's state as a project document. */
export function currentProject(): ProjectDoc {
  const project = useProject.getState();
  const timeline = useTimeline.getState();
  const { settings, outputPath } = useSettings.getState();
  const trimmed = Boolean(project.driving);
  return {
    modelId: useModels.getState().selectedId,
    sourcePath: project.source?.path ?? null,
    drivingPath: project.driving?.path ?? null,
    trimIn: trimmed ? timeline.trimIn : 0,
    trimOut: trimmed ? jobTrimOut(timeline, timeline.duration) : null,
    sourceCrop: project.sourceCrop,
    drivingCrop: project.drivingCrop,
    drivingTrack: project.drivingTrack,
    settings,
    outputPath,
  };
}

function applyTrim(project: ProjectDoc, duration: number, fps: number): void {
  const timeline = useTimeline.getState();
  timeline.reset(duration, fps);
  if (project.trimOut !== null) timeline.markOut(project.trimOut);
  timeline.markIn(project.trimIn);
  timeline.seek(project.trimIn);
}

export const useProjectFile = create<ProjectFileState>((set, get) => {
  /** Run one save or open: busy meanwhile, a readable error instead of a throw. */
  const attempt = async (work: () => Promise<void>): Promise<boolean> => {
    set({ busy: true, error: null });
    try {
      await work();
      return true;
    } catch (err) {
      set({ error: (err as Error).message });
      return false;
    } finally {
      set({ busy: false });
    }
  };
  return {
    path: null,
    status: null,
    error: null,
    busy: false,
    lastSession: null,
    recent: [],
    savedBody: null,
    async loadRecent(api) {
      set({ recent: await api.invoke('recentProjects').catch(() => get().recent) });
    },
    async findLastSession(api) {
      const lastSession = await api.invoke('findSession').catch(() => null);
      set({ lastSession });
    },
    async restoreLastSession(api) {
      const file = get().lastSession;
      if (!file || !(await get().open(api, file))) return false;
      set({ path: null, lastSession: null, status: 'Restored the last session' });
      return true;
    },
    dismissLastSession() {
      set({ lastSession: null });
    },
    save: (api, target) =>
      attempt(async () => {
        const doc = currentProject();
        const file =
          target ?? get().path ?? (await api.invoke('defaultProjectPath', doc.sourcePath, doc.drivingPath));
        const written = await api.invoke('saveProject', file, doc);
        set({ path: written, status: `Saved ${written}`, savedBody: JSON.stringify(doc) });
        await get().loadRecent(api);
      }),
    async saveAs(api) {
      const doc = currentProject();
      const suggested =
        get().path ?? (await api.invoke('defaultProjectPath', doc.sourcePath, doc.drivingPath));
      const picked = await api.invoke('saveFileDialog', suggested, 'project');
      return picked ? get().save(api, picked) : false;
    },
    open: (api, file) =>
      attempt(async () => {
        const opened = await api.invoke('openProject', file);
        const { project } = opened;
        const source = project.sourcePath ? await api.invoke('probeMedia', project.sourcePath) : null;
        const driving = project.drivingPath ? await api.invoke('probeMedia', project.drivingPath) : null;
        if (driving && driving.kind !== 'video')
          throw new Error(`the project's driving clip ${driving.path} is a still image`);
        const thumbnails = driving ? await api.invoke('thumbnails', driving.path, 8, null) : [];

        // Everything was read: now change the studio, in one synchronous step so that it renders
        // once with the restored files and crops together.
        const models = useModels.getState();
        const modelMissing = project.modelId !== null && !models.models.some((m) => m.id === project.modelId);
        if (project.modelId && !modelMissing) models.select(project.modelId);
        useFraming.setState({
          framedFor: {
            modelId: useModels.getState().selectedId ?? '',
            source: project.sourceCrop && source ? source.path : '',
            driving: (project.drivingCrop || project.drivingTrack) && driving ? driving.path : '',
          },
        });
        useProject.getState().restore({
          source,
          driving,
          thumbnails,
          sourceCrop: project.sourceCrop,
          drivingCrop: project.drivingCrop,
          drivingTrack: project.drivingTrack,
        });
        if (driving) applyTrim(project, driving.duration ?? 0, driving.fps ?? 25);
        else useTimeline.getState().reset(0, 25);
        useSettings.setState({ settings: project.settings, outputPath: project.outputPath });

        const notes = [
          ...opened.missing.map((m) => `not found: ${m}`),
          ...(modelMissing ? [`model "${project.modelId}" is not installed; using the selected one`] : []),
        ];
        set({
          path: opened.path,
          status: `Opened ${opened.path}${notes.length ? ` (${notes.join('; ')})` : ''}`,
          savedBody: JSON.stringify(currentProject()),
          // An opened project replaces the session on offer: restoring it now would lose this.
          lastSession: null,
        });
        await get().loadRecent(api);
      }),
  };
});
