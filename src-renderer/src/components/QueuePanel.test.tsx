// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { queuedItem, type QueueItem } from '../../../src-shared/api';
import { JobSpecSchema } from '../../../src-shared/job';
import { QueuePanel } from './QueuePanel';

const item = (id: string, overrides: Partial<QueueItem>): QueueItem => ({
  ...queuedItem(
    id,
    JobSpecSchema.parse({
      modelDir: '/m',
      sourcePath: '/s.jpg',
      drivingPath: '/d.mp4',
      outputPath: `/renders/${id}.mp4`,
    }),
  ),
  ...overrides,
});

const row = (name: string) =>
  screen.getAllByRole('listitem').find((li) => li.textContent?.includes(`${name}.mp4`))!;

describe('QueuePanel', () => {
  afterEach(cleanup);

  it('shows progress, fps and ETA of the running job, and what each state allows', () => {
    const onAction = vi.fn();
    const onShow = vi.fn();
    render(
      <QueuePanel
        desktop
        onAction={onAction}
        onShow={onShow}
        mediaUrl={(id) => `/renders/${id}.mp4`}
        items={[
          item('run', { state: 'running', stage: 'render', done: 30, total: 120, fps: 3 }),
          item('wait', {}),
          item('probe', { state: 'running', stage: 'framing', done: 1, total: 2, fps: 0 }),
          item('bad', { state: 'failed', message: 'driving video /d.mp4: no video stream' }),
          item('ok', { state: 'done', outputPath: '/renders/ok.mp4' }),
        ]}
      />,
    );
    const running = within(row('run'));
    expect(running.getByRole('progressbar', { name: 'Progress of run.mp4' })).toHaveProperty('value', 25);
    expect(row('run').textContent).toContain('render 30/120 · 3.0 fps · ETA 30 s');
    expect(running.queryByRole('button', { name: 'Remove' })).toBeNull();
    // A stage without a frame rate yet shows no fps and no ETA.
    expect(row('probe').querySelector('.progress span')!.textContent).toBe('framing 1/2');
    fireEvent.click(running.getByRole('button', { name: 'Cancel' }));
    fireEvent.click(within(row('wait')).getByRole('button', { name: 'Cancel' }));
    const failed = within(row('bad'));
    expect(failed.getByRole('alert').textContent).toBe('driving video /d.mp4: no video stream');
    fireEvent.click(failed.getByRole('button', { name: 'Retry' }));
    fireEvent.click(within(row('ok')).getByRole('button', { name: 'Show in folder' }));
    expect(onAction.mock.calls).toEqual([
      ['cancelJob', 'run'],
      ['cancelJob', 'wait'],
      ['retryJob', 'bad'],
    ]);
    expect(onShow).toHaveBeenCalledWith('/renders/ok.mp4');
    // The finished render plays in place, streamed by job id.
    fireEvent.click(within(row('ok')).getByRole('button', { name: 'Watch' }));
    expect(within(row('ok')).getByLabelText('Render ok.mp4').getAttribute('src')).toBe('/renders/ok.mp4');
    fireEvent.click(within(row('ok')).getByRole('button', { name: 'Close player' }));
    expect(within(row('ok')).queryByLabelText('Render ok.mp4')).toBeNull();
  });

  it('has no folder to show in a browser, and says when the queue is empty', () => {
    const { rerender } = render(
      <QueuePanel
        desktop={false}
        onAction={vi.fn()}
        onShow={vi.fn()}
        mediaUrl={(id) => `/renders/${id}.mp4`}
        items={[item('ok', { state: 'done', outputPath: '/renders/ok.mp4' })]}
      />,
    );
    expect(screen.queryByRole('button', { name: 'Show in folder' })).toBeNull();
    expect(screen.getByText('/renders/ok.mp4')).toBeTruthy();
    rerender(<QueuePanel desktop={false} onAction={vi.fn()} onShow={vi.fn()} mediaUrl={String} items={[]} />);
    expect(screen.getByText('No renders yet.')).toBeTruthy();
  });
});

describe('QueuePanel: the whole queue', () => {
  afterEach(cleanup);
  it('says what each render is and how long it took, and cancels or clears in one click', () => {
    const onAction = vi.fn();
    render(
      <QueuePanel
        desktop={false}
        onAction={onAction}
        onShow={() => undefined}
        mediaUrl={(id) => `/renders/${id}.mp4`}
        items={[
          item('a', { state: 'done', outputPath: '/renders/a.mp4', startedAt: 1000, finishedAt: 13_500 }),
          item('b', { state: 'running', stage: 'render', done: 5, total: 10, fps: 2 }),
          item('c', {}),
          item('d', { state: 'failed', message: 'the engine stopped (killed by SIGKILL): retry' }),
        ]}
      />,
    );
    expect(row('a').textContent).toContain(
      's.jpg × d.mp4 · model m · trim 0.00–end · relative · model px · h264',
    );
    expect(row('a').textContent).toContain('took 12.5 s');
    fireEvent.click(screen.getByRole('button', { name: 'Cancel all' }));
    expect(onAction.mock.calls).toEqual([
      ['cancelJob', 'b'],
      ['cancelJob', 'c'],
    ]);
    onAction.mockClear();
    fireEvent.click(screen.getByRole('button', { name: 'Clear finished' }));
    // Failed renders stay, to be retried or read.
    expect(onAction.mock.calls).toEqual([['removeJob', 'a']]);
  });

  it('shows each row with a picture: the finished video, else the photo', async () => {
    const asked: string[] = [];
    const preview = async (file: string) => {
      asked.push(file);
      return {
        image: `data:image/png;base64,${file.length}`,
        kind: 'image' as const,
        width: 4,
        height: 3,
        duration: null,
      };
    };
    render(
      <QueuePanel
        desktop={false}
        onAction={() => undefined}
        onShow={() => undefined}
        mediaUrl={(id) => `/renders/${id}.mp4`}
        preview={preview}
        items={[item('a', { state: 'done', outputPath: '/renders/a.mp4' }), item('b', { state: 'running' })]}
      />,
    );
    expect(await screen.findAllByTestId('queue-thumbnail')).toHaveLength(2);
    expect(asked.sort()).toEqual(['/renders/a.mp4', '/s.jpg']);
  });
});
