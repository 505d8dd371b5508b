import { describe, expect, it } from 'vitest';
import { whenAborted } from './abort.js';

describe('whenAborted', () => {
  it('runs the handler once when the signal aborts', () => {
    const controller = new AbortController();
    let calls = 0;
    whenAborted(controller.signal, () => (calls += 1));
    expect(calls).toBe(0);
    controller.abort();
    controller.abort();
    expect(calls).toBe(1);
  });

  it('runs it at once for a signal that has already aborted', () => {
    const controller = new AbortController();
    controller.abort();
    let calls = 0;
    whenAborted(controller.signal, () => (calls += 1));
    expect(calls).toBe(1);
  });

  it('does not run it once removed, nor without a signal', () => {
    const controller = new AbortController();
    let calls = 0;
    const remove = whenAborted(controller.signal, () => (calls += 1));
    remove();
    controller.abort();
    whenAborted(undefined, () => (calls += 1))();
    expect(calls).toBe(0);
  });
});
