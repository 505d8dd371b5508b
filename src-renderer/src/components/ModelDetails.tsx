import type { ModelSummary } from '../../../src-shared/api';

/** What the selected model's manifest says: its weights, training data and budget, its input. */
export function ModelDetails({ model }: { model: ModelSummary | null }) {
  if (!model || model.details.length === 0) return null;
  return (
    <details className="model-details">
      <summary>About {model.name}</summary>
      <dl aria-label={`About ${model.name}`}>
        {model.details.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}
