import { describe, expect, it } from 'vitest';
import { TINY_MODEL } from '../test-support/fixtures.js';
import { stageBench, stageTable } from './stage-bench.js';

describe('stage benchmark (gpu-bench)', () => {
  it('times every batch size on the provider it names, at least the frames asked for', async () => {
    const report = await stageBench(TINY_MODEL, 'cpu', 5, [1, 2]);
    expect(report.provider).toBe('cpu');
    expect(report.resolution).toEqual([64, 64]);
    expect(report.batches.map((b) => [b.batch, b.frames])).toEqual([
      [1, 5],
      [2, 6],
    ]);
    for (const row of report.batches) {
      expect(row.keypointsMs).toBeGreaterThan(0);
      expect(row.generatorMs).toBeGreaterThan(0);
      expect(row.fps).toBeCloseTo(1000 / (row.keypointsMs + row.generatorMs), 6);
    }
    const table = stageTable(report);
    expect(table).toContain('provider: cpu; 64x64');
    expect(table.split('\n')).toHaveLength(3 + 2);
  });
});
