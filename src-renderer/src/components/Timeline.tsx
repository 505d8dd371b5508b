import { formatTimecode, framesInRange } from '../../../src-shared/timeline';
import { useTimeline } from '../stores/timeline';

/** Filmstrip, in/out trim handles, playhead scrubbing and playback controls. */
export function Timeline({ thumbnails }: { thumbnails: string[] }) {
  const t = useTimeline();
  const step = t.fps > 0 ? 1 / t.fps : 0.04;
  const range = { max: t.duration, step };
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
      <TimeSlider label="Playhead" name="Playhead" {...range} value={t.playhead} onChange={t.seek} />
      <div className="trim-row">
        <TimeSlider label="In" name="Trim in" {...range} value={t.trimIn} onChange={t.markIn} />
        <TimeSlider label="Out" name="Trim out" {...range} value={t.trimOut} onChange={t.markOut} />
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

interface TimeSliderProps {
  label: string;
  /** Accessible name (tests and screen readers find the slider by it). */
  name: string;
  max: number;
  step: number;
  value: number;
  onChange: (seconds: number) => void;
}

function TimeSlider({ label, name, max, step, value, onChange }: TimeSliderProps) {
  return (
    <label>
      {label}
      <input
        type="range"
        aria-label={name}
        min={0}
        max={max}
        step={step}
        value={value}
        onChange={(e) => onChange(Number(e.target.value))}
      />
    </label>
  );
}
