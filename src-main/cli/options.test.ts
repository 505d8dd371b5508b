import { describe, expect, it } from 'vitest';
import { RenderSettingsSchema } from '../../src-shared/job.js';
import type { ProjectDoc } from '../../src-shared/project-file.js';
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
    expect(() => jobFromFlags({ ...base, 'max-side': '10' }, 'm')).toThrow(/--max-side: Too small/);
    expect(() => jobFromFlags({ ...base, 'max-side': 'big' }, 'm')).toThrow(/--max-side takes a number/);
  });
  it('names the flag at fault', () => {
    expect(() => jobFromFlags({ ...base, crf: 'high' }, 'm')).toThrow('--crf takes a number, got "high"');
    expect(() => jobFromFlags({ ...base, mode: 'sideways' }, 'm')).toThrow(UsageError);
    expect(() => jobFromFlags({ source: 's' }, 'm')).toThrow('--driving is required');
    expect(() => parseCrop('1,2,0', '--driving-crop')).toThrow('--driving-crop takes x,y,size');
  });
  it('takes what a flag leaves out from a saved project, and lets flags replace it', () => {
    const project: ProjectDoc = {
      modelId: 'face-128',
      sourcePath: '/p/me.jpg',
      drivingPath: '/c/talk.mp4',
      trimIn: 1,
      trimOut: 3,
      sourceCrop: { x: 1, y: 2, size: 100 },
      drivingCrop: { x: 0, y: 0, size: 90 },
      drivingTrack: { size: 90, keys: [{ t: 1, x: 0, y: 0 }] },
      settings: RenderSettingsSchema.parse({ mode: 'absolute', crf: 25, audio: false, pasteBack: true }),
      outputPath: '/r/me__talk.mp4',
    };
    // The project does not follow the face: its saved track is not used (as in the studio).
    const saved = jobFromFlags({}, 'm', project);
    expect(saved).toMatchObject({
      sourcePath: '/p/me.jpg',
      outputPath: '/r/me__talk.mp4',
      trimIn: 1,
      trimOut: 3,
      drivingCrop: project.drivingCrop,
      drivingTrack: null,
    });
    expect(saved.settings).toEqual(project.settings);
    const following = { ...project, settings: { ...project.settings, followSubject: true } };
    expect(jobFromFlags({}, 'm', following).drivingTrack).toEqual(project.drivingTrack);
    const replaced = jobFromFlags(
      { output: '/x.mp4', crf: '12', 'trim-in': '0', 'driving-crop': '4,4,64', 'best-frame': true },
      'm',
      project,
    );
    expect(replaced).toMatchObject({ outputPath: '/x.mp4', trimIn: 0, trimOut: 3, drivingTrack: null });
    expect(replaced.drivingCrop).toEqual({ x: 4, y: 4, size: 64 });
    expect(replaced.settings).toMatchObject({ crf: 12, bestFrame: true, mode: 'absolute', audio: false });
    expect(() => jobFromFlags({}, 'm', { ...project, sourcePath: null })).toThrow(
      '--source is required (the project has none)',
    );
  });
  it('formats progress with an ETA', () => {
    expect(progressLine('render', 30, 120, 3)).toBe('render       30/120   25%  3.0 fps ETA 30 s');
    expect(progressLine('import', 11, 110, 0)).toBe('import       11/110   10%');
    expect(progressLine('render', 30, 120, 3, 'webgpu: NVIDIA')).toBe(
      'render       30/120   25%  3.0 fps ETA 30 s  on webgpu: NVIDIA',
    );
  });
});
