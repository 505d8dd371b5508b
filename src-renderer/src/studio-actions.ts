/**
 * What the studio does with the files the user names: open a photo or a clip (and propose the
 * output's name), queue the render. Buttons, drops, the menu and the keys all come here.
 */
import { withFormatExtension } from '../../src-shared/export-format';
import { pasteBackDefault, renderBlocker } from '../../src-shared/studio-guide';
import { api } from './api-client';
import { useModels } from './stores/models';
import { useProject } from './stores/project';
import { useQueue } from './stores/queue';
import { studioRenderRequest } from './stores/range-preview';
import { useSettings } from './stores/settings';
import { useTimeline } from './stores/timeline';

/** The default output for the open photo and clip, in the chosen export format. */
export async function suggestOutput(
  source = useProject.getState().source?.path,
  driving = useProject.getState().driving?.path,
): Promise<void> {
  if (!source || !driving) return;
  const settings = useSettings.getState();
  settings.setOutputPath(
    withFormatExtension(
      await api.invoke('defaultOutputPath', source, driving),
      settings.settings.exportFormat ?? 'h264',
    ),
  );
}

export async function loadSource(path: string): Promise<void> {
  if (await useProject.getState().loadSource(api, path)) await suggestOutput(path);
}

export async function loadDriving(path: string): Promise<void> {
  if (!(await useProject.getState().loadDriving(api, path))) return;
  const d = useProject.getState().driving!;
  useTimeline.getState().reset(d.duration ?? 0, d.fps ?? 25);
  await suggestOutput(undefined, path);
}

/** Choose a model (a click in the list, or the studio's suggestion): its subject's paste-back default applies. */
export function chooseModel(id: string): void {
  useModels.getState().select(id);
  const model = useModels.getState().models.find((m) => m.id === id);
  if (model) useSettings.getState().update({ pasteBack: pasteBackDefault(model.subject) });
}

/** Why Render (and the range preview) cannot run yet, or null when it can. */
export function currentRenderBlocker(): string | null {
  const project = useProject.getState();
  return renderBlocker({
    model: Boolean(useModels.getState().selectedId),
    source: Boolean(project.source),
    driving: Boolean(project.driving),
    output: useSettings.getState().outputPath,
  });
}

/** Queue what the studio shows, then propose the next free output name. */
export async function render(): Promise<void> {
  const outputPath = useSettings.getState().outputPath;
  const request = outputPath ? studioRenderRequest(outputPath) : null;
  if (!request) return;
  const item = await useQueue.getState().enqueue(api, request);
  if (item) await suggestOutput();
}

/** Every photo × every clip, each under its own default name; on the farm when one is set. */
export async function queueBatch(sources: readonly string[], clips: readonly string[]): Promise<void> {
  const modelId = useModels.getState().selectedId;
  if (!modelId) return;
  const { settings, farm } = useSettings.getState();
  for (const sourcePath of sources) {
    for (const drivingPath of clips) {
      // One at a time: each default name must see the jobs queued before it.
      const request = {
        modelId,
        sourcePath,
        drivingPath,
        outputPath: withFormatExtension(
          await api.invoke('defaultOutputPath', sourcePath, drivingPath),
          settings.exportFormat ?? 'h264',
        ),
        settings,
      };
      const item = await useQueue.getState().enqueue(api, request, farm || null);
      if (!item) return;
    }
  }
}
