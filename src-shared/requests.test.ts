import { describe, expect, it } from 'vitest';
import { RenderSettingsSchema } from './job.js';
import { drivingFraming, renderRequest } from './requests.js';

const track = { size: 90, keys: [{ t: 1, x: 0, y: 0 }] };
const crop = { x: 4, y: 4, size: 64 };

describe('one request rule', () => {
  it('uses the moving square only when the crop follows the face', () => {
    const follow = RenderSettingsSchema.parse({ followSubject: true });
    const still = RenderSettingsSchema.parse({});
    expect(drivingFraming({ drivingCrop: crop, drivingTrack: track, settings: follow })).toBe(track);
    expect(drivingFraming({ drivingCrop: crop, drivingTrack: track, settings: still })).toBe(crop);
    expect(drivingFraming({ drivingCrop: crop, drivingTrack: null, settings: follow })).toBe(crop);
  });
  it('drops a saved track from a render that does not follow', () => {
    const base = {
      sourcePath: 's.png',
      drivingPath: 'd.mp4',
      outputPath: 'o.mp4',
      trimIn: 0,
      trimOut: null,
      sourceCrop: null,
      drivingCrop: crop,
      drivingTrack: track,
    };
    expect(renderRequest({ ...base, settings: RenderSettingsSchema.parse({}) }).drivingTrack).toBeNull();
    expect(
      renderRequest({ ...base, settings: RenderSettingsSchema.parse({ followSubject: true }) }).drivingTrack,
    ).toBe(track);
  });
});
