import type { ModelSummary } from '../../../src-shared/api';

export interface ModelListProps {
  models: ModelSummary[];
  selectedId: string | null;
  onSelect(id: string): void;
}

export function ModelList({ models, selectedId, onSelect }: ModelListProps) {
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
          </button>
        </li>
      ))}
    </ul>
  );
}
