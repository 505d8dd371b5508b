// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { modelSummary } from '../test-fixtures';
import { ModelDetails } from './ModelDetails';
import { metricsLine, ModelList } from './ModelList';

afterEach(cleanup);

describe('ModelList', () => {
  it('marks the selected model, reports clicks, and offers removal of imported models only', () => {
    const onSelect = vi.fn();
    const onRemove = vi.fn();
    render(
      <ModelList
        models={[
          modelSummary({ id: 'face', name: 'Faces 128' }),
          modelSummary({ id: 'vox', name: 'vox-cpk', origin: 'imported', resolution: [256, 256] }),
        ]}
        selectedId="face"
        onSelect={onSelect}
        onRemove={onRemove}
      />,
    );
    expect(screen.getByRole('button', { name: /Faces 128/ }).getAttribute('aria-pressed')).toBe('true');
    fireEvent.click(screen.getByRole('button', { name: /^vox-cpk/ }));
    expect(onSelect).toHaveBeenCalledWith('vox');
    expect(screen.queryByRole('button', { name: 'Remove Faces 128' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Remove vox-cpk' }));
    expect(onRemove).toHaveBeenCalledWith(expect.objectContaining({ id: 'vox' }));
    expect(onSelect).toHaveBeenCalledTimes(1);
  });

  it('says so when there are no models', () => {
    render(<ModelList models={[]} selectedId={null} onSelect={() => undefined} onRemove={() => undefined} />);
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

describe('ModelDetails', () => {
  it("lists the selected model's manifest, and nothing for a model without details", () => {
    render(
      <ModelDetails
        model={modelSummary({
          name: 'Faces 128',
          details: [
            ['Weights', 'trained'],
            ['Training epochs', '12'],
          ],
        })}
      />,
    );
    const list = screen.getByLabelText('About Faces 128');
    expect([...list.querySelectorAll('dt')].map((d) => d.textContent)).toEqual([
      'Weights',
      'Training epochs',
    ]);
    expect([...list.querySelectorAll('dd')].map((d) => d.textContent)).toEqual(['trained', '12']);
    cleanup();
    const { container } = render(<ModelDetails model={modelSummary({ details: [] })} />);
    expect(container.querySelector('details')).toBeNull();
  });
});
