import type { InspectResult } from '../../../src-shared/inspect';
import { KeypointImage } from './KeypointImage';

/**
 * The result at the playhead, with the occlusion map and the dense deformation beside it, each
 * with a line saying how to read it. While the engine works on a newer playhead position the
 * images shown are marked stale (dimmed) until the answer arrives.
 */
export function PreviewPanel({
  images,
  loading,
  stale,
}: {
  images: InspectResult['images'] | null;
  loading: boolean;
  stale: boolean;
}) {
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
  return (
    <section className="panel preview" aria-labelledby="preview-heading">
      <h2 id="preview-heading">
        Preview {loading && <span className="spinner">…</span>}
        {stale && <span className="meta"> (updating)</span>}
      </h2>
      <div className={stale ? 'stale' : undefined} data-testid="preview-images" data-stale={stale}>
        <KeypointImage src={images?.result ?? null} keypoints={null} label="Result" showKeypoints={false} />
        <div className="maps">
          {map(images?.occlusion, 'Occlusion map', 'occlusion')}
          {map(images?.deformation, 'Deformation', 'flow')}
        </div>
      </div>
      <p className="legend" aria-label="How to read the preview">
        <strong>Keypoints</strong>: each dot is a learned keypoint; its ellipse is the local affine frame (the
        Jacobian) — how the region around it stretches and turns. <strong>Occlusion</strong>: white is taken
        from the photo (warped), dark is painted in by the model. <strong>Deformation</strong>: where each
        pixel is taken from — red for sideways, green for up/down, flat grey for no motion.
      </p>
    </section>
  );
}
