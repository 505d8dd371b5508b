/**
 * What a FOMM checkpoint's tensor shapes say about its networks, in the words of the paper (how
 * many keypoints, whether it has Jacobians and an occlusion map, how wide and deep the generator
 * is), so that an architecture Marionette does not know is explained in plain words, not as a
 * list of tensor shapes. Pure: shapes in, facts and sentences out.
 */
export type Shapes = ReadonlyMap<string, readonly number[]>;

export interface ArchitectureFacts {
  keypoints: number | null;
  jacobians: boolean;
  occlusion: boolean;
  channels: number | null;
  /** The generator's first width (block_expansion). */
  generatorWidth: number | null;
  downBlocks: number;
  bottleneckBlocks: number;
}

const count = (shapes: Shapes, pattern: RegExp) => {
  const seen = new Set<string>();
  for (const key of shapes.keys()) {
    const hit = pattern.exec(key);
    if (hit) seen.add(hit[1]!);
  }
  return seen.size;
};

export function architectureFacts(shapes: Shapes): ArchitectureFacts {
  return {
    keypoints: shapes.get('kp_detector.kp.weight')?.[0] ?? null,
    jacobians: shapes.has('kp_detector.jacobian.weight'),
    occlusion: shapes.has('generator.dense_motion_network.occlusion.weight'),
    channels: shapes.get('generator.first.conv.weight')?.[1] ?? null,
    generatorWidth: shapes.get('generator.first.conv.weight')?.[0] ?? null,
    downBlocks: count(shapes, /^generator\.down_blocks\.(\d+)\./),
    bottleneckBlocks: count(shapes, /^generator\.bottleneck\.r(\d+)\./),
  };
}

/** How `found` differs from the architecture `name` (whose facts are `known`), one phrase each. */
export function architectureDifferences(
  found: ArchitectureFacts,
  known: ArchitectureFacts,
  name: string,
): string[] {
  const out: string[] = [];
  const has = (yes: boolean) => (yes ? 'one' : 'none');
  if (found.keypoints !== known.keypoints)
    out.push(`${found.keypoints ?? 'no'} keypoints where ${name} has ${known.keypoints ?? 'none'}`);
  if (found.jacobians !== known.jacobians)
    out.push(
      `${found.jacobians ? 'local Jacobians' : 'no local Jacobians'} where ${name} has ${has(known.jacobians)}`,
    );
  if (found.occlusion !== known.occlusion)
    out.push(
      `${found.occlusion ? 'an occlusion map' : 'no occlusion map'} where ${name} has ${has(known.occlusion)}`,
    );
  if (found.channels !== known.channels)
    out.push(`${found.channels ?? '?'} colour channels where ${name} has ${known.channels ?? '?'}`);
  if (found.generatorWidth !== known.generatorWidth)
    out.push(
      `a generator ${found.generatorWidth ?? '?'} channels wide where ${name}'s is ${known.generatorWidth ?? '?'}`,
    );
  if (found.downBlocks !== known.downBlocks)
    out.push(`${found.downBlocks} down-sampling blocks where ${name} has ${known.downBlocks}`);
  if (found.bottleneckBlocks !== known.bottleneckBlocks)
    out.push(`${found.bottleneckBlocks} bottleneck blocks where ${name} has ${known.bottleneckBlocks}`);
  return out;
}

/** One plain sentence for a checkpoint that matches no known architecture, closest first. */
export function unknownArchitectureSentence(
  found: Shapes,
  closest: { name: string; shapes: Shapes },
): string {
  const differences = architectureDifferences(
    architectureFacts(found),
    architectureFacts(closest.shapes),
    closest.name,
  );
  const how = differences.length
    ? `: ${differences.slice(0, 3).join(', ')}${differences.length > 3 ? `, and ${differences.length - 3} more` : ''}`
    : ': the same layout, but some layers have other sizes';
  return (
    `This checkpoint's networks differ from ${closest.name}, the closest architecture Marionette can import${how}` +
    ` — so it cannot be converted (supported: the published vox, taichi, mgif, bair, nemo and fashion checkpoints)`
  );
}
