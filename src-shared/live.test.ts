import { describe, expect, it } from 'vitest';
import {
  LiveFrameArgsSchema,
  liveStats,
  PASTE_BACK_MIN_FPS,
  PASTE_BACK_TRIAL,
  pasteBackKeepsUp,
  SUGGEST_AFTER_FRAMES,
  suggestNeutral,
} from './live';

describe('the live preview', () => {
  it('measures fps and the median camera-to-screen latency over the last two seconds', () => {
    const shown = [0, 1, 2, 3, 4].map((i) => ({
      capturedAt: 5000 + i * 100 - 40 - i,
      shownAt: 5000 + i * 100,
      engineMs: 30 - i,
    }));
    expect(liveStats(shown, 5400)).toEqual({ fps: 10, latencyMs: 42, engineMs: 28 });
    expect(liveStats([{ capturedAt: 0, shownAt: 10, engineMs: 5 }], 5000)).toEqual({
      fps: 0,
      latencyMs: 0,
      engineMs: 0,
    });
    expect(liveStats([], 0)).toEqual({ fps: 0, latencyMs: 0, engineMs: 0 });
  });

  it('suggests Set neutral when the pose is among the closest to the photo this session has seen', () => {
    const frame = (poseDistance: number, neutralSet = false) => ({
      width: 8,
      height: 8,
      rgb: '',
      poseDistance,
      neutralSet,
      engineMs: 1,
    });
    const seen = Array.from({ length: 20 }, (_, i) => 0.2 + i * 0.005); // 0.200 … 0.295
    expect(suggestNeutral(seen, frame(0.2))).toBe(true);
    expect(suggestNeutral(seen, frame(0.25))).toBe(false);
    expect(suggestNeutral(seen, frame(0.2, true))).toBe(false); // set already
    expect(suggestNeutral(seen.slice(0, SUGGEST_AFTER_FRAMES - 1), frame(0.1))).toBe(false); // too early to judge
    expect(suggestNeutral(seen, null)).toBe(false);
  });

  it('refuses a frame too large for any model before it reaches the engine', () => {
    const base = {
      modelId: 'm',
      sourcePath: '/p.png',
      sourceCrop: null,
      session: 's',
      settings: { mode: 'relative', adaptScale: true, relativeJacobian: true },
    };
    expect(LiveFrameArgsSchema.safeParse({ ...base, width: 64, height: 64, rgb: 'AAAA' }).success).toBe(true);
    expect(LiveFrameArgsSchema.safeParse({ ...base, width: 4096, height: 64, rgb: 'AAAA' }).success).toBe(
      false,
    );
    expect(
      LiveFrameArgsSchema.safeParse({ ...base, width: 64, height: 64, rgb: 'A'.repeat(512 * 512 * 4 + 4) })
        .success,
    ).toBe(false);
  });

  it('keeps paste-back while the preview keeps up, judged after a trial', () => {
    const slow = { fps: PASTE_BACK_MIN_FPS - 1, latencyMs: 300, engineMs: 280 };
    expect(pasteBackKeepsUp(PASTE_BACK_TRIAL - 1, slow)).toBe(true);
    expect(pasteBackKeepsUp(PASTE_BACK_TRIAL, slow)).toBe(false);
    expect(pasteBackKeepsUp(PASTE_BACK_TRIAL * 5, { ...slow, fps: PASTE_BACK_MIN_FPS })).toBe(true);
  });
});
