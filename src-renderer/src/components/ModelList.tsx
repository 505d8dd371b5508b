import type { ModelSummary } from '../../../src-shared/api';
import { METRIC_MEANINGS, modelPurpose } from '../../../src-shared/studio-guide';

export interface ModelListProps {
  models: ModelSummary[];
  selectedId: string | null;
  onSelect(id: string): void;
  /** Imported models only; the caller confirms with the user. */
  onRemove(model: ModelSummary): void;
}

/** "L1 0.052 · AKD 2.10 px · AED 0.31" from a manifest's held-out metrics, when it has them. */
export function metricsLine(m: ModelSummary): string | null {
  const metrics = m.metrics ?? {};
  const parts: string[] = [];
  const num = (key: string) => (typeof metrics[key] === 'number' ? (metrics[key] as number) : null);
  const l1 = num('l1');
  const akd = num('akd');
  const aed = num('aed');
  if (l1 !== null) parts.push(`L1 ${l1.toFixed(3)}`);
  if (akd !== null) parts.push(`AKD ${akd.toFixed(2)} px`);
  if (aed !== null) parts.push(`AED ${aed.toFixed(3)}`);
  return parts.length ? parts.join(' · ') : null;
}

export function ModelList({ models, selectedId, onSelect, onRemove }: ModelListProps) {
  if (models.length === 0) return <p className="empty">No models yet. Import a checkpoint to begin.</p>;
  return (
    <ul className="model-list" aria-label="Models">
      {models.map((m) => (
        <li key={m.id}>
          <button type="button" aria-pressed={m.id === selectedId} onClick={() => onSelect(m.id)}>
            <strong>{m.name}</strong>
            <span>
              {m.resolution[1]}×{m.resolution[0]} · {m.numKp} keypoints · {m.origin}
            </span>
            <span className="purpose">{modelPurpose(m).purpose}</span>
            {metricsLine(m) && (
              <span className="metrics" title={Object.values(METRIC_MEANINGS).join('\n')}>
                {metricsLine(m)}
              </span>
            )}
          </button>
          {m.origin === 'imported' && (
            <button
              type="button"
              className="remove-model"
              aria-label={`Remove ${m.name}`}
              onClick={() => onRemove(m)}
            >
              Remove
            </button>
          )}
        </li>
      ))}
    </ul>
  );
}
