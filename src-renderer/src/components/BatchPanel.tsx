/** Many sources × many clips: collect both lists, then queue one render per pair. */
import { useState } from 'react';
import { FileField } from './FileField';

export interface BatchPanelProps {
  desktop: boolean;
  disabled: boolean;
  /** The render farm's Redis address ('' renders here). */
  farm: string;
  onFarmChange(address: string): void;
  onQueue(sources: string[], clips: string[]): Promise<void>;
}

const name = (p: string) => p.split(/[\\/]/).pop() ?? p;

function PathList({ label, paths, onRemove }: { label: string; paths: string[]; onRemove(p: string): void }) {
  return (
    <ul className="batch-list" aria-label={label}>
      {paths.map((p) => (
        <li key={p} title={p}>
          {name(p)}
          <button type="button" aria-label={`Remove ${name(p)}`} onClick={() => onRemove(p)}>
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}

export function BatchPanel({ desktop, disabled, farm, onFarmChange, onQueue }: BatchPanelProps) {
  const [sources, setSources] = useState<string[]>([]);
  const [clips, setClips] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const add = (set: (update: (l: string[]) => string[]) => void) => (p: string) =>
    set((list) => (list.includes(p) ? list : [...list, p]));
  const count = sources.length * clips.length;
  return (
    <details className="batch">
      <summary>Batch</summary>
      <FileField
        label="Batch source"
        kind="image"
        value=""
        desktop={desktop}
        action="Add"
        multiple
        onLoad={add(setSources)}
      />
      <PathList
        label="Batch sources"
        paths={sources}
        onRemove={(p) => setSources(sources.filter((s) => s !== p))}
      />
      <FileField
        label="Batch clip"
        kind="video"
        value=""
        desktop={desktop}
        action="Add"
        multiple
        onLoad={add(setClips)}
      />
      <PathList label="Batch clips" paths={clips} onRemove={(p) => setClips(clips.filter((c) => c !== p))} />
      <label title="Render on the machines running `marionette worker --redis …` (BullMQ on Redis); files must be on storage they all share. Empty: render here.">
        Farm
        <input
          aria-label="Farm (Redis address)"
          placeholder="redis://HOST:6379 (empty: render here)"
          value={farm}
          onChange={(e) => onFarmChange(e.target.value.trim())}
        />
      </label>
      <button
        type="button"
        disabled={disabled || busy || count === 0}
        onClick={() => {
          setBusy(true);
          void onQueue(sources, clips).finally(() => setBusy(false));
        }}
      >
        Queue {count} render{count === 1 ? '' : 's'}
        {farm ? ' on the farm' : ''}
      </button>
    </details>
  );
}
