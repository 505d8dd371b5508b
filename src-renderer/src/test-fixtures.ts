/** Shared test data for renderer unit tests. */
import type { ModelSummary } from '../../src-shared/api';
import { modelSubject } from '../../src-shared/model-manifest';

/** A bundled 128² model summary; tests override the fields they are about. */
export function modelSummary(overrides: Partial<ModelSummary> = {}): ModelSummary {
  return {
    id: 'm',
    name: 'm',
    origin: 'bundled',
    resolution: [128, 128],
    numKp: 10,
    weights: null,
    category: null,
    metrics: null,
    int8: false,
    details: [],
    ...overrides,
    subject: overrides.subject ?? modelSubject({ category: overrides.category ?? null }),
  };
}
