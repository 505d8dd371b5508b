import { describe, expect, it } from 'vitest';
import { runMediaTool, startMediaTool } from './run-ffmpeg.js';

// A minute of test pattern read at its own pace (-re) and thrown away: it cannot finish by itself
// before the test looks at it.
const MINUTE = ['-v', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc=duration=60', '-f', 'null', '-'];

describe('media tool processes', () => {
  it('are killed when the signal aborts, and at once when it had aborted before they started', async () => {
    const controller = new AbortController();
    const running = startMediaTool('ffmpeg', MINUTE, controller.signal);
    controller.abort();
    expect((await running.done).signal).toBe('SIGKILL');

    const late = startMediaTool('ffmpeg', MINUTE, controller.signal);
    expect((await late.done).signal).toBe('SIGKILL');
    await expect(runMediaTool('ffmpeg', MINUTE, { signal: controller.signal })).resolves.toMatchObject({
      code: null,
    });
  });

  it('run to their end without a signal', async () => {
    const result = await runMediaTool('ffmpeg', [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc=duration=0.2',
      '-f',
      'null',
      '-',
    ]);
    expect(result.code).toBe(0);
  });
});
