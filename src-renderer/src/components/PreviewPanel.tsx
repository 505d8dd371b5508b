import type { QueueItem } from '../../../src-shared/api';
import { shortcutText } from '../../../src-shared/commands';
import type { InspectResult } from '../../../src-shared/inspect';
import { useUi, type PreviewView } from '../stores/ui';
import { KeypointImage } from './KeypointImage';

const VIEWS: ReadonlyArray<readonly [PreviewView, string, string]> = [
  ['result', 'Result', 'the exported frame at the playhead'],
  ['before', 'Before', `the photo as it is (${shortcutText('toggleBefore')})`],
  ['side', 'Side by side', 'the photo and the result together'],
];

/**
 * The result at the playhead, with the occlusion map and the dense deformation beside it, each
 * with a line saying how to read it. With paste-back the result is the exported frame itself
 * (composited into the photo by the render's own code), with Before and Side by side to compare.
 * While the engine works on a newer playhead position the images shown are marked stale (dimmed)
 * until the answer arrives.
 */
export interface RangePreview {
  state: QueueItem['state'];
  fraction: number;
  message: string | null;
  /** The finished preview's player URL. */
  url: string | null;
}

export function PreviewPanel({
  images,
  loading,
  stale,
  range = null,
  onCloseRange,
}: {
  images: InspectResult['images'] | null;
  loading: boolean;
  stale: boolean;
  /** The quick render of the trimmed range (P), while it renders and once it plays. */
  range?: RangePreview | null;
  onCloseRange?(): void;
}) {
  const view = useUi((s) => s.previewView);
  const setView = useUi((s) => s.setPreviewView);
  const map = (src: string | null | undefined, alt: string, placeholder: string) => (
    <figure>
      {src ? (
        <img src={src} alt={alt} width={124} height={124} />
      ) : (
        <div className="placeholder small">{placeholder}</div>
      )}
      <figcaption>{alt}</figcaption>
    </figure>
  );
  const composite = images?.composite ?? null;
  const photo = images?.photo ?? null;
  const still = (src: string, alt: string) => (
    <figure className="composite">
      <img src={src} alt={alt} />
      <figcaption>{alt}</figcaption>
    </figure>
  );
  return (
    <section className="panel preview" aria-labelledby="preview-heading">
      <h2 id="preview-heading">
        Preview {loading && <span className="spinner">…</span>}
        {stale && <span className="meta"> (updating)</span>}
      </h2>
      {composite && photo && (
        <div className="view-switch" role="radiogroup" aria-label="Compare">
          {VIEWS.map(([key, label, title]) => (
            <label key={key} title={title}>
              <input type="radio" name="preview-view" checked={view === key} onChange={() => setView(key)} />
              {label}
            </label>
          ))}
        </div>
      )}
      {range && (
        <div className="range-preview" aria-label="Range preview" data-state={range.state}>
          {range.url ? (
            <video src={range.url} aria-label="Trimmed range preview" autoPlay loop muted controls />
          ) : range.state === 'failed' || range.state === 'cancelled' ? (
            <p className="field-error">
              Range preview {range.state}: {range.message ?? ''}
            </p>
          ) : (
            <p>
              Rendering a quick preview of the trimmed range… <progress max={1} value={range.fraction} />
            </p>
          )}
          <button type="button" onClick={onCloseRange}>
            Close range preview
          </button>
        </div>
      )}
      <div className={stale ? 'stale' : undefined} data-testid="preview-images" data-stale={stale}>
        {composite && photo ? (
          <div className={`composites view-${view}`} data-testid="composite-view" data-view={view}>
            {view !== 'result' && still(photo, 'Before (the photo)')}
            {view !== 'before' && still(composite, 'Result (as exported)')}
          </div>
        ) : (
          <KeypointImage src={images?.result ?? null} keypoints={null} label="Result" showKeypoints={false} />
        )}
        <div className="maps">
          {map(images?.occlusion, 'Occlusion map', 'occlusion')}
          {map(images?.deformation, 'Deformation', 'flow')}
        </div>
      </div>
      <p className="legend" aria-label="How to read the preview">
        {composite && (
          <>
            <strong>Result</strong>: the frame the export will have here, pasted back into the photo (B shows
            the photo before).{' '}
          </>
        )}
        <strong>Keypoints</strong>: each dot is a learned keypoint; its ellipse is the local affine frame (the
        Jacobian) — how the region around it stretches and turns. <strong>Occlusion</strong>: white is taken
        from the photo (warped), dark is painted in by the model. <strong>Deformation</strong>: where each
        pixel is taken from — red for sideways, green for up/down, flat grey for no motion.
      </p>
    </section>
  );
}
