import { describe, expect, it } from 'vitest';
import { architectureFacts, unknownArchitectureSentence, type Shapes } from './architecture.js';

function vox(
  overrides: { kp?: number; occlusion?: boolean; width?: number; jacobian?: boolean } = {},
): Shapes {
  const kp = overrides.kp ?? 10;
  const width = overrides.width ?? 64;
  const shapes = new Map<string, number[]>([
    ['kp_detector.kp.weight', [kp, 35, 7, 7]],
    ['generator.first.conv.weight', [width, 3, 7, 7]],
    ['generator.down_blocks.0.conv.weight', [128, width, 3, 3]],
    ['generator.down_blocks.1.conv.weight', [256, 128, 3, 3]],
    ['generator.bottleneck.r0.conv1.weight', [256, 256, 3, 3]],
    ['generator.bottleneck.r0.conv2.weight', [256, 256, 3, 3]],
    ['generator.bottleneck.r1.conv1.weight', [256, 256, 3, 3]],
  ]);
  if (overrides.jacobian ?? true) shapes.set('kp_detector.jacobian.weight', [4 * kp, 35, 7, 7]);
  if (overrides.occlusion ?? true)
    shapes.set('generator.dense_motion_network.occlusion.weight', [1, 128, 7, 7]);
  return shapes;
}

describe('architecture facts', () => {
  it('reads keypoints, Jacobians, occlusion and depth from the shapes', () => {
    expect(architectureFacts(vox())).toEqual({
      keypoints: 10,
      jacobians: true,
      occlusion: true,
      channels: 3,
      generatorWidth: 64,
      downBlocks: 2,
      bottleneckBlocks: 2,
    });
  });

  it('says which network differs and how, in words', () => {
    const sentence = unknownArchitectureSentence(vox({ kp: 15, occlusion: false }), {
      name: 'vox-256',
      shapes: vox(),
    });
    expect(sentence).toContain('differ from vox-256');
    expect(sentence).toContain('15 keypoints where vox-256 has 10');
    expect(sentence).toContain('no occlusion map where vox-256 has one');
    expect(sentence).not.toMatch(/\(\d+, \d+/); // no raw tensor shapes
    const wider = unknownArchitectureSentence(vox({ width: 32 }), { name: 'vox-256', shapes: vox() });
    expect(wider).toContain("a generator 32 channels wide where vox-256's is 64");
  });

  it('still answers when only layer sizes differ', () => {
    const odd = new Map(vox());
    odd.set('generator.bottleneck.r1.conv1.weight', [300, 256, 3, 3]);
    expect(unknownArchitectureSentence(odd, { name: 'vox-256', shapes: vox() })).toContain(
      'some layers have other sizes',
    );
  });
});
