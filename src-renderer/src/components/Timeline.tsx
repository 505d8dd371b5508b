import { useRef, useState, type PointerEvent as ReactPointerEvent } from 'react';
import { shortcutGroups, shortcutText } from '../../../src-shared/commands';
import {
  formatTimecode,
  frameCount,
  frameIndex,
  framesInRange,
  parseTimecode,
} from '../../../src-shared/timeline';
import { CommandButton } from './CommandButton';
import { useTimeline } from '../stores/timeline';

/**
 * One timeline bar, as editors have it: the filmstrip (zoomable) is the scrubber (click or drag
 * anywhere, inside the trim or not), the in and out handles sit on it with the trimmed range
 * shaded, and the playhead is free. A typeable timecode and the frame number sit under it.
 */
export function Timeline({ thumbnails }: { thumbnails: string[] }) {
  const t = useTimeline();
  const [zoom, setZoom] = useState(1);
  const [typed, setTyped] = useState<string | null>(null);
  const [typedError, setTypedError] = useState<string | null>(null);
  const strip = useRef<HTMLDivElement>(null);
  const step = t.fps > 0 ? 1 / t.fps : 0.04;
  const pct = (time: number) => (t.duration > 0 ? (100 * time) / t.duration : 0);
  const timeAt = (clientX: number) => {
    const box = strip.current?.getBoundingClientRect();
    if (!box || box.width <= 0) return 0;
    return (Math.min(Math.max(clientX - box.left, 0), box.width) / box.width) * t.duration;
  };
  const drag = (apply: (time: number) => void) => (e: ReactPointerEvent<HTMLElement>) => {
    e.preventDefault();
    e.stopPropagation();
    const target = e.currentTarget;
    target.setPointerCapture?.(e.pointerId);
    apply(timeAt(e.clientX));
    const move = (ev: PointerEvent) => apply(timeAt(ev.clientX));
    const up = () => {
      target.removeEventListener('pointermove', move);
      target.removeEventListener('pointerup', up);
    };
    target.addEventListener('pointermove', move);
    target.addEventListener('pointerup', up);
  };
  const frame = frameIndex(t.playhead, t.fps);
  const goTo = () => {
    if (typed === null) return;
    const time = parseTimecode(typed, t.fps);
    if (time === null)
      setTypedError(`"${typed}" is not a timecode (HH:MM:SS.FF), a frame (#123) or seconds (1.5s)`);
    else {
      t.seek(time);
      setTyped(null);
      setTypedError(null);
    }
  };
  return (
    <div className="timeline">
      <div className="strip-scroll">
        <div
          className="filmstrip"
          aria-label="Filmstrip"
          ref={strip}
          style={{ width: `${100 * zoom}%` }}
          onPointerDown={drag(t.seek)}
          title="Click or drag to move the playhead"
        >
          {thumbnails.map((src, i) => (
            <img key={i} src={src} alt="" draggable={false} />
          ))}
          <div className="trim-shade" style={{ left: 0, width: `${pct(t.trimIn)}%` }} />
          <div className="trim-shade" style={{ left: `${pct(t.trimOut)}%`, right: 0 }} />
          <TrimHandle
            side="in"
            time={t.trimIn}
            pct={pct(t.trimIn)}
            duration={t.duration}
            fps={t.fps}
            onPointerDown={drag((time) => t.markIn(time))}
            onNudge={(frames) => t.markIn(t.trimIn + frames * step + 1e-6)}
          />
          <TrimHandle
            side="out"
            time={t.trimOut}
            pct={pct(t.trimOut)}
            duration={t.duration}
            fps={t.fps}
            onPointerDown={drag((time) => t.markOut(time))}
            onNudge={(frames) => t.markOut(t.trimOut + frames * step)}
          />
          <div
            className="playhead-line"
            data-testid="playhead-line"
            style={{ left: `${pct(t.playhead)}%` }}
          />
        </div>
      </div>
      <input
        className="scrubber"
        type="range"
        aria-label="Playhead"
        title={`Playhead: ${shortcutText('frameForward')} one frame, ${shortcutText('secondForward')} one second, ${shortcutText('goToStart')} / ${shortcutText('goToEnd')}`}
        min={0}
        max={t.duration}
        step={step}
        value={t.playhead}
        onChange={(e) => t.seek(Number(e.target.value))}
      />
      <div className="transport">
        <CommandButton id="playPause">{t.playing ? 'Pause' : 'Play'}</CommandButton>
        <CommandButton id="frameBack">◀ 1</CommandButton>
        <CommandButton id="frameForward">1 ▶</CommandButton>
        <CommandButton id="markIn">Set in</CommandButton>
        <CommandButton id="markOut">Set out</CommandButton>
        <input
          className="goto"
          aria-label="Jump to position"
          title="Type a timecode (HH:MM:SS.FF), a frame (#123) or seconds (1.5s), then Enter"
          value={typed ?? formatTimecode(t.playhead, t.fps)}
          onChange={(e) => setTyped(e.target.value)}
          onBlur={() => {
            setTyped(null);
            setTypedError(null);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter') goTo();
            else if (e.key === 'Escape') {
              setTyped(null);
              setTypedError(null);
            }
          }}
        />
        <label className="zoom" title="Zoom the filmstrip">
          Zoom
          <input
            type="range"
            min={1}
            max={8}
            step={1}
            value={zoom}
            onChange={(e) => setZoom(Number(e.target.value))}
            aria-label="Timeline zoom"
          />
        </label>
        <output aria-label="Timecode">
          {formatTimecode(t.playhead, t.fps)} · frame {frame} · in {formatTimecode(t.trimIn, t.fps)} · out{' '}
          {formatTimecode(t.trimOut, t.fps)} · {frameCount(framesInRange(t, t.fps))}
        </output>
      </div>
      {typedError && (
        <p className="field-error" role="alert">
          {typedError}
        </p>
      )}
    </div>
  );
}

/** An in or out handle on the filmstrip: drag it, or focus it and nudge it with ←/→ by a frame. */
function TrimHandle(props: {
  side: 'in' | 'out';
  time: number;
  pct: number;
  duration: number;
  fps: number;
  onPointerDown(e: ReactPointerEvent<HTMLElement>): void;
  onNudge(frames: number): void;
}) {
  const [mark, goTo] =
    props.side === 'in' ? (['markIn', 'goToIn'] as const) : (['markOut', 'goToOut'] as const);
  return (
    <div
      className={`trim-handle ${props.side}`}
      role="slider"
      tabIndex={0}
      aria-label={props.side === 'in' ? 'Trim in' : 'Trim out'}
      aria-valuemin={0}
      aria-valuemax={props.duration}
      aria-valuenow={props.time}
      aria-valuetext={formatTimecode(props.time, props.fps)}
      title={`${props.side === 'in' ? 'In' : 'Out'} point: drag, or press ${shortcutText(mark)} at the playhead (${shortcutText(goTo)} goes there)`}
      style={{ left: `${props.pct}%` }}
      onPointerDown={props.onPointerDown}
      onKeyDown={(e) => {
        if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
        e.preventDefault();
        e.stopPropagation();
        props.onNudge(e.key === 'ArrowRight' ? 1 : -1);
      }}
    />
  );
}

export function ShortcutHelp({ onClose }: { onClose(): void }) {
  return (
    <div
      className="overlay"
      role="dialog"
      aria-modal="true"
      aria-label="Keyboard shortcuts"
      onClick={onClose}
    >
      <div className="overlay-card" onClick={(e) => e.stopPropagation()}>
        <h2>Keyboard shortcuts</h2>
        <table>
          {shortcutGroups().map(({ group, rows }) => (
            <tbody key={group}>
              <tr>
                <th colSpan={2} scope="rowgroup" className="shortcut-group">
                  {group}
                </th>
              </tr>
              {rows.map(([keys, what]) => (
                <tr key={what}>
                  <th scope="row">
                    <kbd>{keys}</kbd>
                  </th>
                  <td>{what}</td>
                </tr>
              ))}
            </tbody>
          ))}
        </table>
        <button type="button" onClick={onClose} autoFocus>
          Close (Esc)
        </button>
      </div>
    </div>
  );
}
