/**
 * The square the model sees, drawn over the whole frame: drag it to move it, drag a corner handle
 * or turn the wheel over it to resize it (also the slider or +/−), nudge it with the arrow keys
 * (Shift: ten times as far). Detected faces are outlined for reference.
 */
import { useEffect, useRef } from 'react';
import type { Corner, Rect } from '../../../src-shared/framing/crop';
import { moveCrop, resizeCrop, resizeFromCorner } from '../../../src-shared/framing/crop';
import type { CropBox } from '../../../src-shared/job';
import type { FullFrame } from '../stores/framing';

const DISPLAY = 240;

interface Props {
  label: string;
  frame: FullFrame;
  crop: CropBox;
  faces: Rect[];
  onChange(crop: CropBox): void;
  /** A detected face was clicked (when several were found): frame that one. */
  onPickFace?(index: number): void;
}

export function CropEditor({ label, frame, crop, faces, onChange, onPickFace }: Props) {
  const k = DISPLAY / Math.max(frame.width, frame.height);
  const drag = useRef<{ x: number; y: number; crop: CropBox; corner: Corner | null } | null>(null);
  const boxRef = useRef<HTMLDivElement>(null);
  const latest = useRef({ crop, onChange, frame });
  latest.current = { crop, onChange, frame };
  // The wheel resizes the square under the pointer instead of scrolling the page (a listener
  // that is not passive, so that it may keep the page still).
  useEffect(() => {
    const el = boxRef.current;
    if (!el) return;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const { crop: c, onChange: change, frame: f } = latest.current;
      const by = Math.max(2, Math.round(c.size / 25)) * (e.deltaY < 0 ? 1 : -1);
      change(resizeCrop(c, c.size + by, f.width, f.height));
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, []);
  const box = (r: { x: number; y: number; width: number; height: number }) => ({
    left: r.x * k,
    top: r.y * k,
    width: r.width * k,
    height: r.height * k,
  });
  const onKey = (e: React.KeyboardEvent) => {
    const step = Math.max(1, Math.round(crop.size / 50)) * (e.shiftKey ? 10 : 1);
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
        {faces.map((f, i) =>
          faces.length > 1 && onPickFace ? (
            <button
              key={i}
              type="button"
              className="face-box pickable"
              style={box(f)}
              aria-label={`Frame face ${i + 1}`}
              title={`Frame face ${i + 1}`}
              onClick={() => onPickFace(i)}
            />
          ) : (
            <div key={i} className="face-box" style={box(f)} />
          ),
        )}
        <div
          role="slider"
          tabIndex={0}
          aria-label={`${label} crop box`}
          aria-valuetext={`${crop.size} px square at ${crop.x}, ${crop.y}`}
          aria-valuenow={crop.size}
          data-crop={`${crop.x},${crop.y},${crop.size}`}
          className="crop-box"
          ref={boxRef}
          title="Drag to move, drag a corner or turn the wheel to resize; arrows nudge (Shift: more)"
          style={box({ x: crop.x, y: crop.y, width: crop.size, height: crop.size })}
          onKeyDown={onKey}
          onPointerDown={(e) => {
            e.preventDefault();
            const corner = (e.target as HTMLElement).dataset.corner as Corner | undefined;
            drag.current = { x: e.clientX, y: e.clientY, crop, corner: corner ?? null };
            // Followed on the window until the button is released, wherever the pointer goes.
            const move = (ev: PointerEvent) => {
              const d = drag.current;
              if (!d) return;
              const { onChange: change, frame: f } = latest.current;
              const dx = (ev.clientX - d.x) / k;
              const dy = (ev.clientY - d.y) / k;
              change(
                d.corner
                  ? resizeFromCorner(d.crop, d.corner, dx, dy, f.width, f.height)
                  : moveCrop(d.crop, dx, dy, f.width, f.height),
              );
            };
            const up = () => {
              drag.current = null;
              window.removeEventListener('pointermove', move);
              window.removeEventListener('pointerup', up);
              window.removeEventListener('pointercancel', up);
            };
            window.addEventListener('pointermove', move);
            window.addEventListener('pointerup', up);
            window.addEventListener('pointercancel', up);
          }}
        >
          {(['nw', 'ne', 'sw', 'se'] as const).map((corner) => (
            <span
              key={corner}
              className={`crop-handle ${corner}`}
              data-corner={corner}
              data-testid={`${label}-handle-${corner}`}
            />
          ))}
        </div>
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
