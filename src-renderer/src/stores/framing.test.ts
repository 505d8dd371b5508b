import { beforeEach, describe, expect, it } from 'vitest';
import type { MarionetteBridge } from '../../../src-shared/api';
import type { FramingResult } from '../../../src-shared/framing/schema';
import { useFraming } from './framing';
import { useProject } from './project';

const photo = {
  path: '/p.jpg',
  kind: 'image',
  width: 400,
  height: 300,
  fps: null,
  duration: null,
  hasAudio: false,
  mediaId: null,
} as const;
const answer: FramingResult = {
  source: {
    width: 400,
    height: 300,
    crop: { x: 50, y: 0, size: 300 },
    method: 'face',
    faces: [],
    sampled: 0,
    detected: 0,
    track: null,
    faceCrops: [],
    faceSeen: true,
    sidewaysTurn: null,
  },
  driving: null,
};

/** An API whose framing answer arrives when the test says so. */
function slowApi() {
  let release: () => void = () => undefined;
  const api = {
    invoke: (method: string) =>
      method === 'detectFraming'
        ? new Promise((resolve) => (release = () => resolve(answer)))
        : Promise.reject(new Error(method)),
    onEvent: () => () => undefined,
  } as unknown as MarionetteBridge;
  return { api, release: () => release() };
}

describe('automatic framing', () => {
  beforeEach(() =>
    useProject.setState({ source: photo, sourceCrop: null, driving: null, drivingCrop: null }),
  );
  const args = { modelId: 'm', sourcePath: '/p.jpg', drivingPath: null, trimIn: 0, trimOut: null };

  it('applies its answer when the user left the crop alone', async () => {
    const { api, release } = slowApi();
    const done = useFraming.getState().detect(api, args);
    release();
    await done;
    expect(useProject.getState().sourceCrop).toEqual({ x: 50, y: 0, size: 300 });
  });

  it('never replaces a crop the user changed while it ran', async () => {
    const { api, release } = slowApi();
    const done = useFraming.getState().detect(api, args);
    useProject.getState().setSourceCrop({ x: 10, y: 10, size: 100 });
    release();
    await done;
    expect(useProject.getState().sourceCrop).toEqual({ x: 10, y: 10, size: 100 });
    expect(useFraming.getState().proposal).toEqual(answer);
  });
});
