import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { manifestDetails, ModelManifestSchema } from '../../src-shared/model-manifest.js';

describe('manifestDetails', () => {
  it("reads the bundled face model's manifest as a user would", () => {
    const raw = JSON.parse(readFileSync('models/onnx/face-128/manifest.json', 'utf8')) as {
      training: { epochs: number };
    };
    const manifest = ModelManifestSchema.parse(raw);
    const details = new Map(manifestDetails(manifest));
    expect(details.get('Weights')).toBe('trained');
    expect(details.get('Input')).toBe('128×128 pixels');
    expect(details.get('Keypoints')).toBe('10, with local affine Jacobians');
    // The epochs as the manifest records them (the bundled model is retrained from time to time).
    expect(details.get('Training epochs')).toBe(String(raw.training.epochs));
    expect(raw.training.epochs).toBeGreaterThan(0);
    expect(details.get('Training hardware')).toBe('2 CPU cores, no GPU');
    expect(details.get('Why this size')).toMatch(/^128x128: /);
    expect(details.get('Held-out test')).toBe('7 clips, 1596 frames');
    // Values that are not plain text (none in this manifest) are left out rather than shown as [object Object].
    expect([...details.values()].some((v) => v.includes('[object'))).toBe(false);
  });

  it('leaves out what a manifest does not say, and nested values', () => {
    const manifest = ModelManifestSchema.parse({
      ...JSON.parse(readFileSync('models/onnx/body-64/manifest.json', 'utf8')),
      weights: undefined,
      training: { epochs: 3, split: { train: ['a'] } },
      resolution_rationale: undefined,
      metrics: undefined,
    });
    const labels = manifestDetails(manifest).map(([label]) => label);
    expect(labels).toEqual(['Subject', 'Input', 'Keypoints', 'Occlusion map', 'Training epochs']);
  });
});
