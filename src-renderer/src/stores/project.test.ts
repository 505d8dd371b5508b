import { beforeEach, describe, expect, it } from 'vitest';
import { useProject } from './project';

const track = {
  size: 100,
  keys: [
    { t: 0, x: 0, y: 0 },
    { t: 1, x: 10, y: 0 },
  ],
};

describe('project store: driving framing', () => {
  beforeEach(() => useProject.setState({ drivingCrop: null, drivingTrack: null }));

  it('keeps the automatic moving square beside the stable one', () => {
    useProject.getState().setDrivingFraming({ x: 0, y: 0, size: 150 }, track);
    expect(useProject.getState()).toMatchObject({ drivingCrop: { size: 150 }, drivingTrack: track });
  });

  it('drops the moving square when the user sets a crop by hand', () => {
    useProject.getState().setDrivingFraming({ x: 0, y: 0, size: 150 }, track);
    useProject.getState().setDrivingCrop({ x: 5, y: 5, size: 120 });
    expect(useProject.getState()).toMatchObject({ drivingCrop: { x: 5, size: 120 }, drivingTrack: null });
  });
});
