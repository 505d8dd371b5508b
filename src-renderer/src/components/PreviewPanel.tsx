import type { InspectResult } from '../../../src-shared/inspect';
import { KeypointImage } from './KeypointImage';

/** The result at the playhead, with the occlusion map and the dense deformation beside it. */
export function PreviewPanel({
  images,
  loading,
}: {
  images: InspectResult['images'] | null;
  loading: boolean;
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
      <h2 id="preview-heading">Preview {loading && <span className="spinner">…</span>}</h2>
      <KeypointImage src={images?.result ?? null} keypoints={null} label="Result" showKeypoints={false} />
      <div className="maps">
        {map(images?.occlusion, 'Occlusion map', 'occlusion')}
        {map(images?.deformation, 'Deformation', 'flow')}
      </div>
    </section>
  );
}
