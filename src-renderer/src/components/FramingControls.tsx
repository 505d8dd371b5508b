/** One side's framing: the crop editor over the whole frame, Auto-frame / Centre, and what was found. */
import type { ModelSummary } from '../../../src-shared/api';
import { subjectFor, type FramedImage } from '../../../src-shared/framing/schema';
import type { CropBox } from '../../../src-shared/job';
import type { FullFrame } from '../stores/framing';
import { CropEditor } from './CropEditor';

interface Props {
  side: 'source' | 'driving';
  model: ModelSummary | null;
  frame: FullFrame | null;
  crop: CropBox;
  proposal: FramedImage | null;
  /** Driving only: the render will use the moving square (its keys), not the box shown. */
  following?: number | null;
  detecting: boolean;
  onChange(crop: CropBox | null): void;
  onAuto(): void;
}

export function framingNote(
  side: Props['side'],
  model: ModelSummary | null,
  proposal: FramedImage | null,
  following: number | null = null,
): string {
  if (!proposal) return '';
  if (proposal.method === 'face') {
    if (side === 'driving')
      return (
        `face in ${proposal.detected} of ${proposal.sampled} sampled frames` +
        (following ? `; the crop follows it (${following} keys, shown at trim in)` : '')
      );
    return proposal.detected > 1
      ? `${proposal.detected} faces found, the largest framed: click a face to frame it instead`
      : 'face found';
  }
  if (model && subjectFor(model) !== 'face') return 'centred (not a face model)';
  if (proposal.sidewaysTurn)
    return `no face found upright — the photo looks turned ${proposal.sidewaysTurn}°: rotate it, or drag the square`;
  return side === 'source'
    ? 'no face found: centred square, drag to adjust'
    : `no face in ${proposal.sampled} sampled frames: centred square, drag to adjust`;
}

export function FramingControls({
  side,
  model,
  frame,
  crop,
  proposal,
  following = null,
  detecting,
  onChange,
  onAuto,
}: Props) {
  const label = side === 'source' ? 'Source' : 'Driving';
  return (
    <>
      {frame && (
        <CropEditor
          label={label}
          frame={frame}
          crop={crop}
          faces={proposal?.faces ?? []}
          onChange={onChange}
          onPickFace={(i) => {
            const chosen = proposal?.faceCrops[i];
            if (chosen) onChange(chosen);
          }}
        />
      )}
      <div className="framing-actions">
        <button type="button" onClick={onAuto} disabled={!model || detecting}>
          Auto-frame
        </button>
        <button type="button" onClick={() => onChange(null)}>
          Centre
        </button>
        <span className="meta" data-testid={`${side}-framing`}>
          {detecting ? 'finding the subject…' : framingNote(side, model, proposal, following)}
        </span>
      </div>
    </>
  );
}
