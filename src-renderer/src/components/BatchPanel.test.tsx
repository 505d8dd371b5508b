// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BatchPanel } from './BatchPanel';

function add(label: string, path: string) {
  fireEvent.change(screen.getByRole('textbox', { name: label }), { target: { value: path } });
  fireEvent.submit(screen.getByRole('textbox', { name: label }).closest('form')!);
}

describe('BatchPanel', () => {
  afterEach(cleanup);
  it('queues every source with every clip, once each', () => {
    const onQueue = vi.fn(() => Promise.resolve());
    render(
      <BatchPanel
        desktop={false}
        disabled={false}
        farm=""
        onFarmChange={() => undefined}
        onQueue={onQueue}
      />,
    );
    expect(screen.getByRole('button', { name: 'Queue 0 renders' })).toHaveProperty('disabled', true);
    add('Batch source', '/photos/a.jpg');
    add('Batch source', '/photos/b.png');
    add('Batch source', '/photos/a.jpg');
    add('Batch clip', '/clips/x.mp4');
    add('Batch clip', '/clips/y.mp4');
    fireEvent.click(screen.getByRole('button', { name: 'Remove b.png' }));
    add('Batch source', '/photos/c.png');
    fireEvent.click(screen.getByRole('button', { name: 'Queue 4 renders' }));
    expect(onQueue).toHaveBeenCalledWith(
      ['/photos/a.jpg', '/photos/c.png'],
      ['/clips/x.mp4', '/clips/y.mp4'],
    );
  });

  it('says when the batch goes to the farm, and hands the address it is given back', () => {
    const onFarmChange = vi.fn();
    render(
      <BatchPanel
        desktop={false}
        disabled={false}
        farm="redis://render-box:6379"
        onFarmChange={onFarmChange}
        onQueue={() => Promise.resolve()}
      />,
    );
    expect(screen.getByRole('button', { name: 'Queue 0 renders on the farm' })).toBeTruthy();
    fireEvent.change(screen.getByRole('textbox', { name: 'Farm (Redis address)' }), {
      target: { value: ' redis://other:6379 ' },
    });
    expect(onFarmChange).toHaveBeenCalledWith('redis://other:6379');
  });
});
