// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { splitError } from './FileField';

describe('errors beside a field', () => {
  it('show the plain sentence and fold the technical part', () => {
    const { summary, details } = splitError(
      "This checkpoint's networks differ from vox-256, the closest architecture: 15 keypoints where vox-256 has 10. Details: kp_detector.kp.weight has shape (15, 35, 7, 7)",
    );
    expect(summary).toBe(
      "This checkpoint's networks differ from vox-256, the closest architecture: 15 keypoints where vox-256 has 10.",
    );
    expect(details).toBe('kp_detector.kp.weight has shape (15, 35, 7, 7)');
  });
  it('cut an unmarked message at its first sentence', () => {
    expect(splitError('The photo is damaged or truncated. ffmpeg said: x')).toEqual({
      summary: 'The photo is damaged or truncated.',
      details: 'The photo is damaged or truncated. ffmpeg said: x',
    });
  });
});
