// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ModelList } from './ModelList';

afterEach(cleanup);

describe('ModelList', () => {
  it('marks the selected model and reports clicks', () => {
    const onSelect = vi.fn();
    render(
      <ModelList
        models={[
          {
            id: 'face',
            name: 'Faces 128',
            origin: 'bundled',
            resolution: [128, 128],
            numKp: 10,
            weights: null,
            category: null,
            metrics: null,
          },
          {
            id: 'vox',
            name: 'vox-cpk',
            origin: 'imported',
            resolution: [256, 256],
            numKp: 10,
            weights: null,
            category: null,
            metrics: null,
          },
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
