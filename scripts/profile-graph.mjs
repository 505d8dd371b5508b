#!/usr/bin/env node
// Where one ONNX graph spends its time on the CPU: ONNX Runtime's own profile of a few runs on
// random inputs (uniform in [0, 0.5): the cost of these graphs does not depend on the values),
// summed by operator type and by node, for the last run and the first (which pays for allocations).
//
//   node scripts/profile-graph.mjs GRAPH [--runs 5] [--threads 2] [--batch 1] [--top 12]
//
// e.g. the bench's fast-mode generator, after `npm run bench -- --int8 ...`:
//   node scripts/profile-graph.mjs build/bench/vox-256-random/generator.int8.onnx
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import ort from 'onnxruntime-node';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    runs: { type: 'string', default: '5' },
    threads: { type: 'string', default: '2' },
    batch: { type: 'string', default: '1' },
    top: { type: 'string', default: '12' },
  },
});
const graph = positionals[0];
if (!graph) {
  console.error(
    'usage: node scripts/profile-graph.mjs GRAPH [--runs 5] [--threads 2] [--batch 1] [--top 12]',
  );
  process.exit(2);
}
const runs = Math.max(2, Number(values.runs));
const batch = Number(values.batch);
const dir = mkdtempSync(path.join(os.tmpdir(), 'profile-graph-'));
try {
  const session = await ort.InferenceSession.create(graph, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: Number(values.threads),
    interOpNumThreads: 1,
    enableProfiling: true,
    profileFilePrefix: path.join(dir, 'profile'),
  });
  let seed = 1;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const feeds = {};
  for (const input of session.inputMetadata) {
    if (!input.isTensor || input.type !== 'float32')
      throw new Error(`${input.name}: only float32 inputs are filled`);
    const dims = input.shape.map((d) => (typeof d === 'number' && d > 0 ? d : batch));
    const data = Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => random() * 0.5);
    feeds[input.name] = new ort.Tensor('float32', data, dims);
  }
  for (let r = 0; r < runs; r++) await session.run(feeds);
  session.endProfiling();
  await session.release();
  const file = readdirSync(dir).find((f) => f.endsWith('.json'));
  const events = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
  const runEvents = events.filter((e) => e.name === 'model_run');
  const nodes = events.filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time'));
  const inRun = (run) => nodes.filter((e) => e.ts >= run.ts && e.ts <= run.ts + run.dur);
  const ms = (us) => (us / 1000).toFixed(2);
  const first = inRun(runEvents[0]);
  const last = inRun(runEvents.at(-1));
  const byOp = (list) => {
    const sums = new Map();
    for (const e of list) sums.set(e.args.op_name, (sums.get(e.args.op_name) ?? 0) + e.dur);
    return sums;
  };
  const firstOps = byOp(first);
  const lastOps = [...byOp(last)].sort((a, b) => b[1] - a[1]);
  console.log(`${graph}: runs ${runEvents.map((r) => ms(r.dur)).join(', ')} ms (batch ${batch})`);
  console.log('\n| operator | last run ms | first run ms |\n|---|---|---|');
  for (const [op, us] of lastOps.slice(0, Number(values.top)))
    console.log(`| ${op} | ${ms(us)} | ${ms(firstOps.get(op) ?? 0)} |`);
  console.log('\n| node (last run) | operator | ms | input shapes |\n|---|---|---|---|');
  for (const e of [...last].sort((a, b) => b.dur - a.dur).slice(0, Number(values.top))) {
    const shapes = (e.args.input_type_shape ?? [])
      .slice(0, 2)
      .map((t) => Object.entries(t).map(([type, dims]) => `${type}[${dims.join(',')}]`))
      .join(' ');
    console.log(`| ${e.name.replace(/_kernel_time$/, '')} | ${e.args.op_name} | ${ms(e.dur)} | ${shapes} |`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
