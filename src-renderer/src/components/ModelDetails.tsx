import type { ModelSummary } from '../../../src-shared/api';
import { METRIC_MEANINGS, modelPurpose } from '../../../src-shared/studio-guide';

/**
 * The selected model in plain words (what it is for, what to expect, what its scores mean), then
 * what its manifest says in full — weights, training data and budget, input — folded below.
 */
export function ModelDetails({ model }: { model: ModelSummary | null }) {
  if (!model) return null;
  const { purpose, quality } = modelPurpose(model);
  const scored = Object.keys(METRIC_MEANINGS).filter((k) => typeof model.metrics?.[k] === 'number');
  return (
    <div className="model-about">
      <p>
        <strong>{model.name}</strong>: {purpose} {quality}
      </p>
      {scored.length > 0 && (
        <ul className="legend">
          {scored.map((k) => (
            <li key={k}>{METRIC_MEANINGS[k]}; lower is better.</li>
          ))}
        </ul>
      )}
      {model.details.length > 0 && <ManifestDetails model={model} />}
    </div>
  );
}

function ManifestDetails({ model }: { model: ModelSummary }) {
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
