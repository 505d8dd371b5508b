import { useEffect, useState } from 'react';
import { api, inputMediaUrl, renderMediaUrl } from './api-client';
import { filePreview } from './file-preview';
import { CameraPanel } from './components/CameraPanel';
import { ClipPlayer } from './components/ClipPlayer';
import { CommandButton } from './components/CommandButton';
import { BatchPanel } from './components/BatchPanel';
import { FileField } from './components/FileField';
import { MediaPanel } from './components/MediaPanel';
import { FramingControls } from './components/FramingControls';
import { ModelDetails } from './components/ModelDetails';
import { ModelList } from './components/ModelList';
import { PreviewPanel } from './components/PreviewPanel';
import { ProjectBar } from './components/ProjectBar';
import { QueuePanel } from './components/QueuePanel';
import { SettingsPanel } from './components/SettingsPanel';
import { ShortcutHelp, Timeline } from './components/Timeline';
import {
  useAutosave,
  useBackendEvents,
  useDocumentTitle,
  useFramingFrames,
  useInspection,
  useMenu,
  usePlayback,
  useShortcuts,
} from './hooks';
import { useCamera } from './stores/camera';
import { useFraming } from './stores/framing';
import { useModels } from './stores/models';
import { usePreview } from './stores/preview';
import { useProjectFile } from './stores/project-file';
import { trackAt } from '../../src-shared/framing/crop';
import { jobTrimOut } from '../../src-shared/timeline';
import { centredCrop, useProject } from './stores/project';
import { useQueue } from './stores/queue';
import { useRangePreview } from './stores/range-preview';
import { useSettings } from './stores/settings';
import { useTimeline } from './stores/timeline';
import { useUi } from './stores/ui';
import { modelSuggestion, queueProgress } from '../../src-shared/studio-guide';
import { shortcutText } from '../../src-shared/commands';
import { useCommand } from './commands';
import { chooseModel, loadDriving, loadSource, queueBatch } from './studio-actions';
import { drivingTrackFor } from '../../src-shared/requests';

export function App() {
  const [info, setInfo] = useState<{ desktop: boolean; providers: string[]; gpu: string | null }>({
    desktop: false,
    providers: ['cpu'],
    gpu: null,
  });
  const models = useModels();
  const project = useProject();
  const preview = usePreview();
  const queue = useQueue();
  const { settings, outputPath, setOutputPath, farm, setFarm } = useSettings();
  const { trimIn, trimOut, duration, playhead } = useTimeline();
  const [showKeypoints, setShowKeypoints] = useState(true);
  useBackendEvents();
  useInspection();
  usePlayback();
  useShortcuts();
  useMenu();
  useFramingFrames();
  useAutosave();
  useDocumentTitle();
  const ui = useUi();
  const framing = useFraming();
  const projectFile = useProjectFile();
  const rangePreview = useRangePreview();
  const [keptModelFor, setKeptModelFor] = useState<string | null>(null);
  useEffect(() => {
    api.invoke('version').then(
      (v) => setInfo({ desktop: v.desktop, providers: v.executionProviders, gpu: v.gpu }),
      () => undefined,
    );
  }, []);

  const model = models.models.find((m) => m.id === models.selectedId) ?? null;
  const saveAs = async () => {
    const picked = await api.invoke('saveFileDialog', outputPath, 'video');
    if (picked) setOutputPath(picked);
  };
  const dropped = (file: File, load: (path: string) => Promise<void>) => {
    const side = load === loadSource ? 'source' : 'driving';
    const local = api.pathForFile?.(file) ?? null;
    if (local) void load(local);
    else if (api.upload)
      // In a browser the file's bytes go to the studio's uploads folder, and that copy opens.
      api
        .upload(file, side === 'source' ? 'image' : 'video')
        .then(load, (err: Error) => project.fail(err.message, side));
    else project.fail('This file cannot be opened from here: type its path or use Browse….', side);
  };
  const crop = project.source
    ? (project.sourceCrop ?? centredCrop(project.source.width, project.source.height))
    : null;
  const following = drivingTrackFor(project.drivingTrack, settings);
  const drivingCrop = project.driving
    ? following
      ? trackAt(following, trimIn)
      : (project.drivingCrop ?? centredCrop(project.driving.width, project.driving.height))
    : null;
  const autoFrame = () => {
    if (!model || !project.source) return;
    void framing.detect(api, {
      modelId: model.id,
      sourcePath: project.source.path,
      drivingPath: project.driving?.path ?? null,
      trimIn,
      trimOut: jobTrimOut({ trimIn, trimOut }, duration),
    });
  };
  const proposal = framing.proposal;
  // A face found with a body model (or none with a face model): offer the model made for it, once
  // per photo and model ("Keep" is remembered for that pair).
  const suggestionFor = `${model?.id}|${project.source?.path}`;
  const suggestion =
    keptModelFor !== suggestionFor && framing.framedFor.source === project.source?.path && !framing.detecting
      ? modelSuggestion(models.models, models.selectedId, proposal?.source.faceSeen ?? null)
      : null;
  // Errors show beside what caused them; this banner is for what belongs to no one control.
  const alert =
    projectFile.error ?? project.error ?? preview.error ?? queue.error ?? framing.error ?? rangePreview.error;
  const images = preview.result?.images;
  const renderCommand = useCommand('render');
  const helpCommand = useCommand('toggleHelp');
  const blocker = renderCommand.disabled ? renderCommand.title : null;
  const overall = queueProgress(queue.items);
  const rangeItem = rangePreview.jobId
    ? (queue.items.find((i) => i.id === rangePreview.jobId) ?? null)
    : null;
  const { importProgress } = models;
  const importPercent = importProgress ? Math.floor((100 * importProgress.done) / importProgress.total) : 0;

  return (
    <div className="app">
      <header>
        <h1>Marionette</h1>
        <span className="model-name">
          {model ? `${model.name} · ${model.resolution[1]}×${model.resolution[0]}` : 'no model'}
        </span>
        <label className="check">
          <input
            type="checkbox"
            checked={showKeypoints}
            onChange={(e) => setShowKeypoints(e.target.checked)}
          />
          Keypoints
        </label>
        <ProjectBar desktop={info.desktop} />
        <button
          type="button"
          className="help-button"
          onClick={helpCommand.run}
          title={`Keyboard shortcuts (${shortcutText('toggleHelp')})`}
          aria-keyshortcuts={helpCommand['aria-keyshortcuts']}
        >
          ?
        </button>
      </header>
      {ui.helpOpen && <ShortcutHelp onClose={ui.closeHelp} />}
      {alert && (
        <p role="alert" className="error">
          {alert}
        </p>
      )}
      {projectFile.lastSession && (
        <section className="resume" aria-label="Last session">
          Marionette kept your last session: its photo, clip, trim, framing and settings.
          <button type="button" className="primary" onClick={() => void projectFile.restoreLastSession(api)}>
            Restore it
          </button>
          <button type="button" onClick={projectFile.dismissLastSession}>
            Dismiss
          </button>
        </section>
      )}
      {!(project.source && project.driving) && (
        <section className="first-run" aria-label="Getting started">
          <strong>Animate a photo in three steps</strong>
          <ol>
            <li data-done={Boolean(project.source)}>
              Pick a photo in <em>Source image</em> (a face for the face model): type its path, Browse…, or
              drop it.
            </li>
            <li data-done={Boolean(project.driving)}>
              Load a driving clip in <em>Driving video</em>; trim it on the timeline (I / O; press ? for all
              keys).
            </li>
            <li>
              Check the preview, then press Render at the bottom; the queue shows progress and plays the
              result.
            </li>
          </ol>
        </section>
      )}
      <main>
        <MediaPanel
          title="Source image"
          field="Source"
          imageLabel="Source"
          kind="image"
          path={project.source?.path ?? ''}
          desktop={info.desktop}
          image={images?.source ?? null}
          keypoints={preview.result?.kpSource ?? null}
          modelSize={preview.result?.size[1]}
          showKeypoints={showKeypoints}
          onLoad={(p) => void loadSource(p)}
          onDrop={(file) => dropped(file, loadSource)}
          error={project.sourceError}
          onDismissError={() => project.clearError('source')}
        >
          {suggestion && project.source && (
            <div className="suggestion" role="status" aria-label="Model suggestion">
              {suggestion.reason}{' '}
              <button type="button" onClick={() => chooseModel(suggestion.id)}>
                Switch to {suggestion.name}
              </button>{' '}
              <button type="button" onClick={() => setKeptModelFor(`${model?.id}|${project.source?.path}`)}>
                Keep {model?.name}
              </button>
            </div>
          )}
          {project.source && crop && (
            <>
              <p className="meta">
                {`${project.source.width}×${project.source.height} · model sees a ${crop.size}px square at (${crop.x}, ${crop.y})`}
              </p>
              <FramingControls
                side="source"
                model={model}
                frame={framing.sourceFrame}
                crop={crop}
                proposal={proposal?.source ?? null}
                detecting={framing.detecting}
                onChange={project.setSourceCrop}
                onAuto={autoFrame}
              />
            </>
          )}
        </MediaPanel>
        <MediaPanel
          title="Driving video"
          field="Driving"
          imageLabel="Driving frame"
          kind="video"
          path={project.driving?.path ?? ''}
          desktop={info.desktop}
          image={images?.driving ?? null}
          keypoints={preview.result?.kpDriving ?? null}
          modelSize={preview.result?.size[1]}
          showKeypoints={showKeypoints}
          onLoad={(p) => void loadDriving(p)}
          onDrop={(file) => dropped(file, loadDriving)}
          error={project.drivingError}
          onDismissError={() => project.clearError('driving')}
        >
          <CameraPanel
            onTake={(take) => void loadDriving(take).then(() => useCamera.getState().setOpen(false))}
          />
          {project.driving && (
            <>
              <p className="meta">
                {project.driving.width}×{project.driving.height} · {project.driving.fps?.toFixed(3)} fps ·{' '}
                {project.driving.duration?.toFixed(2)} s{project.driving.hasAudio ? ' · audio' : ''}
              </p>
              {project.driving.mediaId && <ClipPlayer src={inputMediaUrl(project.driving.mediaId)} />}
              <Timeline thumbnails={project.thumbnails} />
              {drivingCrop && (
                <FramingControls
                  side="driving"
                  model={model}
                  frame={framing.drivingFrame}
                  crop={drivingCrop}
                  proposal={proposal?.driving ?? null}
                  following={following?.keys.length ?? null}
                  detecting={framing.detecting}
                  onChange={project.setDrivingCrop}
                  onAuto={autoFrame}
                />
              )}
            </>
          )}
        </MediaPanel>
        <PreviewPanel
          images={images ?? null}
          loading={preview.loading}
          stale={Boolean(preview.result && project.driving && preview.resultTime !== playhead)}
          range={
            rangeItem
              ? {
                  state: rangeItem.state,
                  fraction: rangeItem.total ? rangeItem.done / rangeItem.total : 0,
                  message: rangeItem.message,
                  url: rangeItem.state === 'done' ? renderMediaUrl(rangeItem.id) : null,
                }
              : null
          }
          onCloseRange={() => rangePreview.close()}
        />
      </main>
      <section className="bottom">
        <SettingsPanel providers={info.providers} gpu={info.gpu} model={model} />
        <div className="render">
          <label>
            Output
            <input
              value={outputPath}
              onChange={(e) => setOutputPath(e.target.value)}
              aria-label="Output file"
            />
          </label>
          {info.desktop && (
            <button type="button" onClick={() => void saveAs()}>
              Save as…
            </button>
          )}
          <BatchPanel
            desktop={info.desktop}
            disabled={!model}
            farm={farm}
            onFarmChange={setFarm}
            onQueue={queueBatch}
          />
          <h2>Queue</h2>
          <QueuePanel
            items={queue.items}
            desktop={info.desktop}
            onAction={(action, id) => void queue.act(api, action, id)}
            onShow={(p) => void api.invoke('showInFolder', p)}
            mediaUrl={renderMediaUrl}
            preview={(file) => filePreview(api, file)}
          />
        </div>
        <div className="models">
          <h2 id="models-heading">Models</h2>
          <ModelList
            models={models.models}
            selectedId={models.selectedId}
            onSelect={chooseModel}
            onRemove={(m) => {
              if (
                window.confirm(`Remove the imported model "${m.name}"? Its checkpoint can be imported again.`)
              )
                void models.remove(api, m.id);
            }}
          />
          <ModelDetails model={model} />
          <FileField
            label="Add a model"
            kind="checkpoint"
            value=""
            desktop={info.desktop}
            action={models.importing ? `Importing… ${importPercent}%` : 'Import'}
            disabled={models.importing}
            onLoad={(p) => void models.importCheckpoint(api, p)}
            error={models.error}
            onDismissError={() => useModels.setState({ error: null })}
          />
          {models.importing && (
            <button type="button" onClick={() => void api.invoke('cancelImport')}>
              Cancel import
            </button>
          )}
        </div>
      </section>
      <footer className="render-bar" aria-label="Render bar">
        <CommandButton id="render" className="primary">
          Render
        </CommandButton>
        <CommandButton id="previewRange">Preview range</CommandButton>
        <span className="render-why" data-testid="render-why">
          {blocker ?? `→ ${outputPath.split(/[\\/]/).pop()}`}
        </span>
        <span className="render-overall" aria-label="Queue progress">
          {overall.pending > 0 ? (
            <>
              <progress max={1} value={overall.fraction} />
              {` ${overall.pending} rendering or waiting · ${overall.done} done`}
              {overall.etaSeconds !== null ? ` · ETA ${overall.etaSeconds} s` : ''}
            </>
          ) : (
            `${overall.done} done${overall.failed ? ` · ${overall.failed} failed` : ''}`
          )}
        </span>
      </footer>
    </div>
  );
}
