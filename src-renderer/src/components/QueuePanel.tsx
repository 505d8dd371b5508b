import { useEffect, useState } from 'react';
import type { FilePreview, QueueItem } from '../../../src-shared/api';
import { etaSeconds } from '../../../src-shared/timeline';

export interface QueuePanelProps {
  items: QueueItem[];
  desktop: boolean;
  onAction(action: 'cancelJob' | 'retryJob' | 'removeJob', id: string): void;
  onShow(path: string): void;
  /** The URL the player streams a finished job's MP4 from. */
  mediaUrl(jobId: string): string;
  /** A small first frame of a file (the finished video, else the photo), when the host can make one. */
  preview?(file: string): Promise<FilePreview | null>;
}

const name = (p: string) => p.split(/[\\/]/).pop() ?? p;

/** What a render is, in one line: its photo and clip, trim, motion and format. */
export function jobSummary(item: QueueItem): string {
  const { job } = item;
  const s = job.settings;
  const trim = `${job.trimIn.toFixed(2)}–${job.trimOut === null ? 'end' : `${job.trimOut.toFixed(2)} s`}`;
  const parts = [
    `${name(job.sourcePath)} × ${name(job.drivingPath)}`,
    `model ${name(job.modelDir)}`,
    `trim ${trim}`,
    s.mode,
    s.pasteBack ? 'paste-back' : `${s.outputSize ?? 'model'} px`,
    s.exportFormat ?? 'h264',
    ...(item.provider ? [`on ${item.provider}`] : item.farm ? ['on the farm'] : []),
  ];
  return parts.join(' · ');
}

/** "took 12 s" for an ended render. */
export function tookLabel(item: QueueItem): string | null {
  if (item.startedAt === null || item.finishedAt === null) return null;
  const seconds = Math.max(0, (item.finishedAt - item.startedAt) / 1000);
  return seconds < 90
    ? `took ${seconds.toFixed(1)} s`
    : `took ${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

/** What a row shows as its picture: the finished video's first frame, else the photo. */
export function thumbnailFile(item: QueueItem): string {
  const video = item.state === 'done' && item.outputPath && item.job.settings.exportFormat !== 'png-sequence';
  return video ? item.outputPath! : item.job.sourcePath;
}

function RowThumbnail({ file, preview }: { file: string; preview: QueuePanelProps['preview'] }) {
  const [image, setImage] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    setImage(null);
    void preview?.(file).then((p) => live && setImage(p?.image ?? null));
    return () => {
      live = false;
    };
  }, [file, preview]);
  return image ? <img className="queue-thumb" src={image} alt="" data-testid="queue-thumbnail" /> : null;
}

export function QueuePanel({ items, desktop, onAction, onShow, mediaUrl, preview }: QueuePanelProps) {
  const [watching, setWatching] = useState<string | null>(null);
  if (!items.length) return <p className="empty">No renders yet.</p>;
  const active = items.filter((i) => i.state === 'queued' || i.state === 'running');
  const ended = items.filter((i) => i.state === 'done' || i.state === 'cancelled');
  return (
    <>
      <div className="queue-actions">
        <button
          type="button"
          disabled={!active.length}
          onClick={() => active.forEach((i) => onAction('cancelJob', i.id))}
        >
          Cancel all
        </button>
        <button
          type="button"
          disabled={!ended.length}
          onClick={() => ended.forEach((i) => onAction('removeJob', i.id))}
          title="Remove finished and cancelled renders from the list (their files stay)"
        >
          Clear finished
        </button>
      </div>
      <ul className="queue" aria-label="Render queue">
        {items.map((item) => {
          const eta = etaSeconds(item.done, item.total, item.fps);
          const pct = item.total ? Math.round((100 * item.done) / item.total) : 0;
          return (
            <li key={item.id} data-state={item.state}>
              <RowThumbnail file={thumbnailFile(item)} preview={preview} />
              <div className="queue-title">
                <strong>{name(item.job.outputPath)}</strong>
                <span className="state">{item.state}</span>
              </div>
              <p className="meta job-summary">
                {jobSummary(item)}
                {tookLabel(item) ? ` · ${tookLabel(item)}` : ''}
              </p>
              {item.state === 'running' && (
                <div className="progress">
                  <progress max={100} value={pct} aria-label={`Progress of ${name(item.job.outputPath)}`} />
                  <span>
                    {item.stage} {item.done}/{item.total}
                    {item.fps > 0 ? ` · ${item.fps.toFixed(1)} fps` : ''}
                    {eta !== null ? ` · ETA ${eta} s` : ''}
                  </span>
                </div>
              )}
              {item.message && <p role="alert">{item.message}</p>}
              <div className="actions">
                {(item.state === 'running' || item.state === 'queued') && (
                  <button type="button" onClick={() => onAction('cancelJob', item.id)}>
                    Cancel
                  </button>
                )}
                {(item.state === 'failed' || item.state === 'cancelled') && (
                  <button type="button" onClick={() => onAction('retryJob', item.id)}>
                    Retry
                  </button>
                )}
                {item.state !== 'running' && (
                  <button type="button" onClick={() => onAction('removeJob', item.id)}>
                    Remove
                  </button>
                )}
                {item.state === 'done' && item.outputPath && (
                  <>
                    <button type="button" onClick={() => setWatching(watching === item.id ? null : item.id)}>
                      {watching === item.id ? 'Close player' : 'Watch'}
                    </button>
                    <output className="output-path">{item.outputPath}</output>
                    {desktop && (
                      <button type="button" onClick={() => onShow(item.outputPath!)}>
                        Show in folder
                      </button>
                    )}
                  </>
                )}
              </div>
              {watching === item.id && item.state === 'done' && (
                <video
                  className="player"
                  src={mediaUrl(item.id)}
                  controls
                  autoPlay
                  aria-label={`Render ${name(item.job.outputPath)}`}
                />
              )}
            </li>
          );
        })}
      </ul>
    </>
  );
}
