import { formatTimecode, framesInRange } from '../../../src-shared/timeline';
import { useTimeline } from '../stores/timeline';

/** Filmstrip, in/out trim handles, playhead scrubbing and playback controls. */
export function Timeline({ thumbnails }: { thumbnails: string[] }) {
  const t = useTimeline();
  const step = t.fps > 0 ? 1 / t.fps : 0.04;
  const pct = (time: number) => (t.duration > 0 ? (100 * time) / t.duration : 0);
  return (
    <div className="timeline">
      <div className="filmstrip" aria-label="Filmstrip">
        {thumbnails.map((src, i) => (
          <img key={i} src={src} alt="" />
        ))}
        <div className="trim-shade" style={{ left: 0, width: `${pct(t.trimIn)}%` }} />
        <div className="trim-shade" style={{ left: `${pct(t.trimOut)}%`, right: 0 }} />
        <div className="playhead-line" style={{ left: `${pct(t.playhead)}%` }} />
      </div>
      <label>
        Playhead
        <input
          type="range"
          aria-label="Playhead"
          min={0}
          max={t.duration}
          step={step}
          value={t.playhead}
          onChange={(e) => t.seek(Number(e.target.value))}
        />
      </label>
      <div className="trim-row">
        <label>
          In
          <input
            type="range"
            aria-label="Trim in"
            min={0}
            max={t.duration}
            step={step}
            value={t.trimIn}
            onChange={(e) => t.markIn(Number(e.target.value))}
          />
        </label>
        <label>
          Out
          <input
            type="range"
            aria-label="Trim out"
            min={0}
            max={t.duration}
            step={step}
            value={t.trimOut}
            onChange={(e) => t.markOut(Number(e.target.value))}
          />
        </label>
      </div>
      <div className="transport">
        <button type="button" onClick={() => t.setPlaying(!t.playing)} aria-keyshortcuts="Space">
          {t.playing ? 'Pause' : 'Play'}
        </button>
        <button type="button" onClick={() => t.markIn()} aria-keyshortcuts="I">
          Set in
        </button>
        <button type="button" onClick={() => t.markOut()} aria-keyshortcuts="O">
          Set out
        </button>
        <output aria-label="Timecode">
          {formatTimecode(t.playhead, t.fps)} · in {formatTimecode(t.trimIn, t.fps)} · out{' '}
          {formatTimecode(t.trimOut, t.fps)} · {framesInRange(t, t.fps)} frames
        </output>
      </div>
    </div>
  );
}
