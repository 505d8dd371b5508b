// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { modelSummary } from '../test-fixtures';
import { metricsLine, ModelList } from './ModelList';

afterEach(cleanup);

describe('ModelList', () => {
  it('marks the selected model and reports clicks', () => {
    const onSelect = vi.fn();
    render(
      <ModelList
        models={[
          modelSummary({ id: 'face', name: 'Faces 128' }),
          modelSummary({ id: 'vox', name: 'vox-cpk', origin: 'imported', resolution: [256, 256] }),
        ]}
        selectedId="face"
        onSelect={onSelect}
      />,
    );
    expect(screen.getByRole('button', { name: /Faces 128/ }).getAttribute('aria-pressed')).toBe('true');
    fireEvent.click(screen.getByRole('button', { name: /vox-cpk/ }));
    expect(onSelect).toHaveBeenCalledWith('vox');
  });

  it('says so when there are no models', () => {
    render(<ModelList models={[]} selectedId={null} onSelect={() => undefined} />);
    expect(screen.getByText(/No models yet/)).toBeTruthy();
  });
});

describe('metricsLine', () => {
  it('shows the held-out metrics a manifest carries, and nothing when it has none', () => {
    const base = modelSummary({ category: 'face' });
    expect(metricsLine({ ...base, metrics: { l1: 0.0523, akd: 2.104, aed: 0.3112, mkr: 0.01 } })).toBe(
      'L1 0.052 · AKD 2.10 px · AED 0.311',
    );
    expect(metricsLine({ ...base, metrics: null })).toBeNull();
  });
});
