import { beforeEach, describe, expect, it } from 'vitest';
import type { ApiResult, MarionetteBridge, MediaSummary } from '../../../src-shared/api';
import type { ProjectDoc } from '../../../src-shared/project-file';
import { modelSummary } from '../test-fixtures';
import { useFraming } from './framing';
import { useModels } from './models';
import { useProject } from './project';
import { currentProject, useProjectFile } from './project-file';
import { defaultSettings, useSettings } from './settings';
import { useTimeline } from './timeline';

const photo: MediaSummary = {
  path: '/p/me.jpg',
  kind: 'image',
  width: 640,
  height: 480,
  fps: null,
  duration: null,
  hasAudio: false,
  mediaId: null,
};
const clip: MediaSummary = {
  path: '/c/talk.mp4',
  kind: 'video',
  width: 320,
  height: 240,
  fps: 25,
  duration: 4,
  hasAudio: true,
  mediaId: 'c1ip',
};

/** A backend that keeps saved projects in memory and knows two files. */
function fakeApi(files: MediaSummary[] = [photo, clip]) {
  const saved = new Map<string, ProjectDoc>();
  const calls: string[] = [];
  const handlers: Record<string, (...args: never[]) => unknown> = {
    defaultProjectPath: () => '/home/projects/me__talk.marionette',
    findSession: () => (saved.has('/home/last-session.marionette') ? '/home/last-session.marionette' : null),
    saveProject: (file: string, doc: ProjectDoc) => {
      saved.set(file, structuredClone(doc));
      return file;
    },
    openProject: (file: string) => {
      const project = saved.get(file);
      if (!project) throw new Error(`project file not found: ${file}`);
      return { path: file, project, missing: [] } satisfies ApiResult<'openProject'>;
    },
    probeMedia: (file: string) => {
      const hit = files.find((f) => f.path === file);
      if (!hit) throw new Error(`file: file not found: ${file}`);
      return hit;
    },
    thumbnails: () => ['data:image/png;base64,AA=='],
    recentProjects: () => [...saved.keys()].reverse(),
  };
  const api: MarionetteBridge = {
    invoke: (async (method: string, ...args: never[]) => {
      calls.push(method);
      return handlers[method]!(...args);
    }) as MarionetteBridge['invoke'],
    onEvent: () => () => undefined,
  };
  return { api, saved, calls };
}

function setUpStudio() {
  useModels.setState({
    models: [modelSummary({ id: 'a' }), modelSummary({ id: 'b' })],
    selectedId: 'b',
    error: null,
  });
  useProject.setState({
    source: photo,
    driving: clip,
    sourceCrop: { x: 100, y: 50, size: 300 },
    drivingCrop: { x: 40, y: 0, size: 200 },
    drivingTrack: null,
    thumbnails: [],
    error: null,
  });
  useTimeline.getState().reset(4, 25);
  useTimeline.getState().markOut(3);
  useTimeline.getState().markIn(1);
  useSettings.setState({
    settings: { ...defaultSettings(), crf: 30, mode: 'absolute' },
    outputPath: '/r/x.mp4',
  });
}

function clearStudio() {
  useModels.setState({ selectedId: 'a' });
  useProject.setState({ source: null, driving: null, sourceCrop: null, drivingCrop: null, thumbnails: [] });
  useTimeline.getState().reset(0, 25);
  useSettings.setState({ settings: defaultSettings(), outputPath: '' });
}

describe('project file store', () => {
  beforeEach(() => {
    useProjectFile.setState(useProjectFile.getInitialState());
    useFraming.setState({ framedFor: { modelId: '', source: '', driving: '' } });
  });

  it('saves the studio to the default path, then opens it back exactly', async () => {
    const { api, saved } = fakeApi();
    setUpStudio();
    const before = currentProject();
    expect(before).toMatchObject({ modelId: 'b', trimIn: 1, trimOut: 3, outputPath: '/r/x.mp4' });
    expect(await useProjectFile.getState().save(api)).toBe(true);
    expect([...saved.keys()]).toEqual(['/home/projects/me__talk.marionette']);
    expect(useProjectFile.getState().status).toBe('Saved /home/projects/me__talk.marionette');
    expect(useProjectFile.getState().recent).toEqual(['/home/projects/me__talk.marionette']);

    clearStudio();
    expect(await useProjectFile.getState().open(api, '/home/projects/me__talk.marionette')).toBe(true);
    expect(currentProject()).toEqual(before);
    expect(useTimeline.getState().playhead).toBe(1);
    expect(useProject.getState().thumbnails).toHaveLength(1);
    // Automatic framing treats the restored files as framed, so it keeps the saved crops.
    expect(useFraming.getState().framedFor).toEqual({ modelId: 'b', source: photo.path, driving: clip.path });
  });

  it('saves again to the file it opened or saved, unless told where', async () => {
    const { api, saved } = fakeApi();
    setUpStudio();
    await useProjectFile.getState().save(api, '/elsewhere/mine.marionette');
    await useProjectFile.getState().save(api);
    expect([...saved.keys()]).toEqual(['/elsewhere/mine.marionette']);
  });

  it('changes nothing when a file the project names cannot be read', async () => {
    const { api, saved } = fakeApi();
    setUpStudio();
    await useProjectFile.getState().save(api, '/p.marionette');
    const lost = fakeApi([clip]); // the photo is gone now
    lost.saved.set('/p.marionette', saved.get('/p.marionette')!);
    clearStudio();
    const cleared = currentProject();
    expect(await useProjectFile.getState().open(lost.api, '/p.marionette')).toBe(false);
    expect(useProjectFile.getState().error).toBe('file: file not found: /p/me.jpg');
    expect(currentProject()).toEqual(cleared);
  });

  it('keeps the current model when the project names one that is not installed, and says so', async () => {
    const { api, saved } = fakeApi();
    setUpStudio();
    saved.set('/q.marionette', { ...currentProject(), modelId: 'gone' });
    clearStudio();
    expect(await useProjectFile.getState().open(api, '/q.marionette')).toBe(true);
    expect(useModels.getState().selectedId).toBe('a');
    expect(useProjectFile.getState().status).toContain('model "gone" is not installed');
  });

  it('restores the last session as an untitled project, saved under a new name', async () => {
    const { api, saved, calls } = fakeApi();
    await useProjectFile.getState().findLastSession(api);
    expect(useProjectFile.getState().lastSession).toBeNull();
    setUpStudio();
    const before = currentProject();
    saved.set('/home/last-session.marionette', before);
    clearStudio();
    await useProjectFile.getState().findLastSession(api);
    expect(useProjectFile.getState().lastSession).toBe('/home/last-session.marionette');
    expect(await useProjectFile.getState().restoreLastSession(api)).toBe(true);
    expect(currentProject()).toEqual(before);
    expect(useProjectFile.getState()).toMatchObject({
      path: null,
      lastSession: null,
      status: 'Restored the last session',
    });
    const callsSoFar = calls.length;
    await useProjectFile.getState().save(api);
    expect(calls.slice(callsSoFar, callsSoFar + 2)).toEqual(['defaultProjectPath', 'saveProject']);
  });
});
