import { beforeEach, describe, expect, it } from 'vitest';
import type { InspectArgs, MarionetteBridge } from '../../../src-shared/api';
import type { InspectResult } from '../../../src-shared/inspect';
import { usePreview } from './preview';

const args = (time: number): InspectArgs =>
  ({ modelId: 'm', sourcePath: '/s.jpg', drivingPath: '/d.mp4', time }) as InspectArgs;

/** An engine that answers each inspection when told to, and records which times it was asked for. */
function slowApi() {
  const asked: number[] = [];
  const pending: Array<() => void> = [];
  const api: MarionetteBridge = {
    invoke: ((_method: string, request: InspectArgs) =>
      new Promise<unknown>((resolve, reject) => {
        asked.push(request.time);
        pending.push(() =>
          request.time < 0
            ? reject(new Error('driving video: no frames at -1 s'))
            : resolve({ size: [64, 64], time: request.time } as unknown as InspectResult),
        );
      })) as MarionetteBridge['invoke'],
    onEvent: () => () => undefined,
  };
  const answer = async () => {
    pending.shift()!();
    await new Promise((r) => setTimeout(r, 0));
  };
  return { api, asked, answer };
}

describe('preview store', () => {
  beforeEach(() => usePreview.setState({ result: null, loading: false, error: null }));

  it('keeps one request in flight and, of those asked meanwhile, sends only the newest', async () => {
    const { api, asked, answer } = slowApi();
    const first = usePreview.getState().request(api, args(0));
    for (const t of [0.1, 0.2, 0.3]) void usePreview.getState().request(api, args(t));
    expect(asked).toEqual([0]);
    expect(usePreview.getState().loading).toBe(true);
    await answer();
    expect(asked).toEqual([0, 0.3]);
    await answer();
    await first;
    expect(usePreview.getState()).toMatchObject({ loading: false, error: null, result: { time: 0.3 } });
  });

  it('shows a failed inspection as a readable error and keeps the last result', async () => {
    const { api, answer } = slowApi();
    const ok = usePreview.getState().request(api, args(0.5));
    await answer();
    await ok;
    const bad = usePreview.getState().request(api, args(-1));
    await answer();
    await bad;
    expect(usePreview.getState()).toMatchObject({
      error: 'driving video: no frames at -1 s',
      result: { time: 0.5 },
      loading: false,
    });
  });
});
