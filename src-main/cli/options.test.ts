import { describe, expect, it } from 'vitest';
import { jobFromFlags, parseCrop, progressLine, UsageError } from './options.js';

describe('CLI options', () => {
  const base = { source: 's.png', driving: 'd.mp4', output: 'o.mp4' };
  it('builds a job with the documented defaults', () => {
    const job = jobFromFlags(base, '/models/face');
    expect(job).toMatchObject({ modelDir: '/models/face', trimIn: 0, trimOut: null, sourceCrop: null });
    expect(job.settings).toMatchObject({
      mode: 'relative',
      adaptScale: true,
      audio: true,
      crf: 18,
      executionProvider: 'auto',
      smoothing: null,
    });
  });
  it('maps flags to settings', () => {
    const job = jobFromFlags(
      {
        ...base,
        mode: 'absolute',
        'no-audio': true,
        smooth: true,
        'best-frame': true,
        'trim-in': '1',
        'trim-out': '2.5',
        'source-crop': '1,2,300',
      },
      'm',
    );
    expect(job.settings).toMatchObject({ mode: 'absolute', audio: false, bestFrame: true });
    expect(job.settings.smoothing).not.toBeNull();
    expect([job.trimIn, job.trimOut, job.sourceCrop]).toEqual([1, 2.5, { x: 1, y: 2, size: 300 }]);
  });
  it('maps the framing flags and rejects an absurd output cap', () => {
    const defaults = jobFromFlags(base, 'm').settings;
    expect(defaults).toMatchObject({ autoFrame: true, pasteBack: false, maxOutputSide: 1920 });
    const job = jobFromFlags({ ...base, 'no-auto-frame': true, 'paste-back': true, 'max-side': '720' }, 'm');
    expect(job.settings).toMatchObject({ autoFrame: false, pasteBack: true, maxOutputSide: 720 });
    expect(defaults.followSubject).toBe(false);
    expect(jobFromFlags({ ...base, 'follow-subject': true }, 'm').settings.followSubject).toBe(true);
    expect(() => jobFromFlags({ ...base, 'max-side': '10' }, 'm')).toThrow(/settings\.maxOutputSide/);
    expect(() => jobFromFlags({ ...base, 'max-side': 'big' }, 'm')).toThrow(/--max-side takes a number/);
  });
  it('names the flag at fault', () => {
    expect(() => jobFromFlags({ ...base, crf: 'high' }, 'm')).toThrow('--crf takes a number, got "high"');
    expect(() => jobFromFlags({ ...base, mode: 'sideways' }, 'm')).toThrow(UsageError);
    expect(() => jobFromFlags({ source: 's' }, 'm')).toThrow('--driving is required');
    expect(() => parseCrop('1,2,0', '--driving-crop')).toThrow('--driving-crop takes x,y,size');
  });
  it('formats progress with an ETA', () => {
    expect(progressLine('render', 30, 120, 3)).toBe('render       30/120   25%  3.0 fps ETA 30 s');
  });
});
