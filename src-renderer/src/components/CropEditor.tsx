/**
 * The square the model sees, drawn over the whole frame: drag it, resize it with the slider or
 * +/−, nudge it with the arrow keys. Detected faces are outlined for reference.
 */
import { useRef } from 'react';
import type { Rect } from '../../../src-shared/framing/crop';
import { moveCrop, resizeCrop } from '../../../src-shared/framing/crop';
import type { CropBox } from '../../../src-shared/job';
import type { FullFrame } from '../stores/framing';

const DISPLAY = 240;

interface Props {
  label: string;
  frame: FullFrame;
  crop: CropBox;
  faces: Rect[];
  onChange(crop: CropBox): void;
}

export function CropEditor({ label, frame, crop, faces, onChange }: Props) {
  const k = DISPLAY / Math.max(frame.width, frame.height);
  const drag = useRef<{ x: number; y: number; crop: CropBox } | null>(null);
  const box = (r: { x: number; y: number; width: number; height: number }) => ({
    left: r.x * k,
    top: r.y * k,
    width: r.width * k,
    height: r.height * k,
  });
  const step = Math.max(1, Math.round(crop.size / 50));
  const onKey = (e: React.KeyboardEvent) => {
    const moves: Record<string, [number, number]> = {
      ArrowLeft: [-step, 0],
      ArrowRight: [step, 0],
      ArrowUp: [0, -step],
      ArrowDown: [0, step],
    };
    const move = moves[e.key];
    if (move) onChange(moveCrop(crop, move[0], move[1], frame.width, frame.height));
    else if (e.key === '+' || e.key === '=')
      onChange(resizeCrop(crop, crop.size + 2 * step, frame.width, frame.height));
    else if (e.key === '-') onChange(resizeCrop(crop, crop.size - 2 * step, frame.width, frame.height));
    else return;
    e.preventDefault();
    e.stopPropagation();
  };
  return (
    <div className="crop-editor">
      <div className="crop-stage" style={{ width: frame.width * k, height: frame.height * k }}>
        <img
          src={frame.image}
          alt={`${label}: whole frame`}
          width={frame.width * k}
          height={frame.height * k}
        />
        {faces.map((f, i) => (
          <div key={i} className="face-box" style={box(f)} />
        ))}
        <div
          role="slider"
          tabIndex={0}
          aria-label={`${label} crop box`}
          aria-valuetext={`${crop.size} px square at ${crop.x}, ${crop.y}`}
          aria-valuenow={crop.size}
          data-crop={`${crop.x},${crop.y},${crop.size}`}
          className="crop-box"
          style={box({ x: crop.x, y: crop.y, width: crop.size, height: crop.size })}
          onKeyDown={onKey}
          onPointerDown={(e) => {
            (e.target as HTMLElement).setPointerCapture(e.pointerId);
            drag.current = { x: e.clientX, y: e.clientY, crop };
          }}
          onPointerMove={(e) => {
            const d = drag.current;
            if (!d) return;
            onChange(
              moveCrop(d.crop, (e.clientX - d.x) / k, (e.clientY - d.y) / k, frame.width, frame.height),
            );
          }}
          onPointerUp={() => (drag.current = null)}
        />
      </div>
      <label className="crop-size">
        Crop size
        <input
          type="range"
          min={16}
          max={Math.min(frame.width, frame.height)}
          value={crop.size}
          onChange={(e) => onChange(resizeCrop(crop, Number(e.target.value), frame.width, frame.height))}
        />
      </label>
    </div>
  );
}
