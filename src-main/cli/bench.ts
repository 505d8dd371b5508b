/**
 * `marionette bench`: per-stage ms/frame, end-to-end fps, peak RSS at several clip lengths, and
 * the speed-up over a naive baseline, for the published 256² architecture (random weights) and the
 * bundled model. Each measurement runs in a fresh process so peak RSS belongs to that run alone.
 */
import { describeIssues, JobSpecSchema, type ExecutionProviderChoice } from '../../src-shared/job.js';
import { executionProvider } from './options.js';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { transferMotion } from '../../src-shared/motion/transfer.js';
import { resolveBinary } from '../media/binaries.js';
import { animate, emptyTimings } from '../engine/animate.js';
import { decodeFrames, decodeSingleFrame } from '../media/frame-source.js';
import { DEFAULT_MODEL, listModels, packageRoot, type ModelPlaces } from '../engine/model-catalog.js';
import { ModelSet, readManifest } from '../engine/model-set.js';
import { z } from 'zod';
import { chwToRgb, rgbToChw } from '../engine/tensors.js';
import { VideoSink } from '../engine/video-sink.js';
import { markdownTable } from './table.js';

interface RunReport {
  model: string;
  mode: 'engine' | 'naive';
  frames: number;
  seconds: number;
  fps: number;
  msPerFrame: Record<string, number>;
  /** Whole-job milliseconds per stage (engine runs). */
  stagesMs?: Record<string, number>;
  peakRssMB: number;
  provider: string;
}

const benchDir = () => path.join(packageRoot(), 'build', 'bench');

function ensureInputs(maxFrames: number): { source: string; driving: string } {
  mkdirSync(benchDir(), { recursive: true });
  const ffmpeg = resolveBinary('ffmpeg').path;
  const source = path.join(benchDir(), 'source.png');
  if (!existsSync(source)) {
    execFileSync(ffmpeg, [
      '-v',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=512x512',
      '-frames:v',
      '1',
      source,
    ]);
  }
  const driving = path.join(benchDir(), `driving-${maxFrames}.mp4`);
  if (!existsSync(driving)) {
    const seconds = (maxFrames / 30 + 0.5).toFixed(3);
    execFileSync(ffmpeg, [
      '-v',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      `testsrc2=size=512x512:rate=30:duration=${seconds}`,
      '-f',
      'lavfi',
      '-i',
      `sine=frequency=330:duration=${seconds}`,
      '-c:v',
      'libx264',
      '-crf',
      '20',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      '-shortest',
      driving,
    ]);
  }
  return { source, driving };
}

/**
 * What made an export: every source file of the Python package. An export made by other code (an
 * older int8 structure, say) is made again, so the bench always measures the graphs of this tree.
 */
function exporterStamp(): string {
  const dir = path.join(packageRoot(), 'models', 'fomm');
  const hash = createHash('sha256');
  const sources = readdirSync(dir).filter((name) => name.endsWith('.py'));
  for (const name of sources.sort()) hash.update(`${name}\0`).update(readFileSync(path.join(dir, name)));
  return hash.digest('hex');
}

function ensurePublishedArchitecture(): string {
  const dir = path.join(benchDir(), 'vox-256-random');
  const manifest = path.join(dir, 'manifest.json');
  const stampFile = path.join(benchDir(), 'vox-256-random.exporter');
  const stamp = exporterStamp();
  const current = () => existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp;
  if (!existsSync(manifest) || !current()) {
    console.error('exporting the published vox-256 architecture with random weights…');
    rmSync(dir, { recursive: true, force: true });
    execFileSync(
      '/usr/bin/python3',
      [
        '-m',
        'fomm.export_onnx',
        '--config',
        'configs/vox-256.yaml',
        '--out',
        dir,
        '--name',
        'vox-256 (random weights)',
        '--int8',
      ],
      {
        cwd: path.join(packageRoot(), 'models'),
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    writeFileSync(stampFile, stamp);
  }
  return dir;
}

const peakRssMB = () => process.resourceUsage().maxRSS / 1024;

/** What `fomm.reference_run` prints: the networks' work per frame and, for a job, its time. */
const ReferenceReportSchema = z.object({
  macs: z.object({ kp_detector: z.number(), source_encoder: z.number(), generator: z.number() }),
  threads: z.number(),
  frames: z.number().optional(),
  seconds: z.number().optional(),
});
type ReferenceReport = z.infer<typeof ReferenceReportSchema>;

/**
 * The PyTorch weights behind an exported model folder: the fp16 file its manifest names, or the
 * random ones `fomm.export_onnx` made (same seed). Null when neither is known.
 */
async function referenceWeights(modelDir: string): Promise<string[] | null> {
  const manifest = await readManifest(modelDir);
  const file = manifest.training?.weights_file;
  if (typeof file === 'string')
    return existsSync(path.join(packageRoot(), file)) ? ['--weights', path.join(packageRoot(), file)] : null;
  return manifest.weights === 'random' ? ['--seed', String(manifest.seed ?? 0)] : null;
}

/** Runs `fomm.reference_run` (Python, models/) and returns its report, or the reason it could not. */
async function referenceRun(modelDir: string, args: string[]): Promise<ReferenceReport | string> {
  // Counting the work needs only the architecture; timing a job needs the model's own weights.
  const weights = (await referenceWeights(modelDir)) ?? (args.includes('--macs-only') ? [] : null);
  if (!weights) return 'no PyTorch weights known for this model';
  const proc = spawnSync(
    '/usr/bin/python3',
    ['-m', 'fomm.reference_run', '--model', modelDir, ...weights, ...args],
    {
      cwd: path.join(packageRoot(), 'models'),
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    },
  );
  if (proc.status !== 0)
    return `the PyTorch reference failed: ${(proc.stderr || String(proc.error)).trim().split('\n').pop()}`;
  const parsed = ReferenceReportSchema.safeParse(JSON.parse(proc.stdout.trim().split('\n').pop() ?? 'null'));
  return parsed.success
    ? parsed.data
    : `the PyTorch reference printed an unexpected report: ${describeIssues(parsed.error)}`;
}

const giga = (n: number) => (n / 1e9).toFixed(2);

/** Whole pipeline as the app runs it (batched, source cached, pipelined with ffmpeg). */
async function engineRun(
  modelDir: string,
  frames: number,
  source: string,
  driving: string,
  provider: ExecutionProviderChoice = 'cpu',
  wholeFrame = false,
  int8 = false,
  sessionCache: string | null = null,
): Promise<RunReport> {
  const timings = emptyTimings();
  const job = JobSpecSchema.parse({
    modelDir,
    sourcePath: source,
    drivingPath: driving,
    outputPath: path.join(benchDir(), 'out-engine.mp4'),
    // The bench's own scratch file, written again by every run.
    overwrite: true,
    trimOut: (frames - 0.5) / 30,
    settings: { executionProvider: provider, autoFrame: !wholeFrame, int8 },
  });
  const result = await animate(job, {
    signal: new AbortController().signal,
    loadModel: (d, p, options) => ModelSet.load(d, p, undefined, { ...options, sessionCache }),
    timings,
  });
  const per = (ms: number) => ms / result.frames;
  return {
    model: modelDir,
    mode: 'engine',
    frames: result.frames,
    seconds: result.seconds,
    fps: result.frames / result.seconds,
    msPerFrame: {
      keypoints: per(timings.keypointsMs),
      transfer: per(timings.transferMs),
      generator: per(timings.generatorMs),
      encode: per(timings.encodeWaitMs),
      total: per(result.seconds * 1000),
    },
    stagesMs: { ...timings, totalMs: result.seconds * 1000 },
    peakRssMB: peakRssMB(),
    provider: result.executionProvider,
  };
}

/** Naive baseline: one frame at a time, source re-encoded every frame, each stage awaited in turn. */
async function naiveRun(
  modelDir: string,
  frames: number,
  source: string,
  driving: string,
  provider: ExecutionProviderChoice = 'cpu',
  sessionCache: string | null = null,
): Promise<RunReport> {
  const started = performance.now();
  const models = await ModelSet.load(modelDir, provider, undefined, { sessionCache });
  const { width, height } = models.size;
  const signal = new AbortController().signal;
  const sourceRgb = await decodeSingleFrame({ input: source, width, height, crop: null }, 'source', signal);
  const sourceImage = new Float32Array(3 * width * height);
  rgbToChw(sourceRgb, width, height, sourceImage);
  const sink = new VideoSink(
    path.join(benchDir(), 'out-naive.mp4'),
    { width, height, fps: { num: 30, den: 1 }, crf: 18, outputSize: null, audio: null, overwrite: true },
    signal,
  );
  const options = { mode: 'relative' as const, adaptScale: true, relativeJacobian: true };
  let reference = null as Awaited<ReturnType<ModelSet['keypoints']>>[number] | null;
  let count = 0;
  const frame = new Float32Array(3 * width * height);
  for await (const rgb of decodeFrames(
    { input: driving, width, height, crop: null, trimOut: (frames - 0.5) / 30 },
    'driving',
    signal,
  )) {
    rgbToChw(rgb, width, height, frame);
    const [kp] = await models.keypoints(frame, 1);
    reference ??= kp!;
    const encoded = await models.encodeSource(sourceImage);
    const out = await models.generate(encoded, [transferMotion(encoded.kp, kp!, reference, options)]);
    models.releaseSource(encoded);
    await sink.write(chwToRgb(out.prediction, width, height));
    count += 1;
  }
  await sink.finish();
  const seconds = (performance.now() - started) / 1000;
  return {
    model: modelDir,
    mode: 'naive',
    frames: count,
    seconds,
    fps: count / seconds,
    msPerFrame: { total: (seconds * 1000) / count },
    peakRssMB: peakRssMB(),
    provider: models.executionProvider,
  };
}

/** Hidden subcommand: one measurement, printed as JSON for the parent. */
export async function benchRunCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string' },
      frames: { type: 'string' },
      naive: { type: 'boolean' },
      source: { type: 'string' },
      driving: { type: 'string' },
      provider: { type: 'string' },
      'whole-frame': { type: 'boolean' },
      int8: { type: 'boolean' },
      'session-cache': { type: 'string' },
    },
  });
  const provider = executionProvider(values.provider) ?? 'cpu';
  const sessionCache = values['session-cache'] ?? null;
  const [model, frames, source, driving] = [
    values.model!,
    Number(values.frames),
    values.source!,
    values.driving!,
  ];
  const report = values.naive
    ? await naiveRun(model, frames, source, driving, provider, sessionCache)
    : await engineRun(
        model,
        frames,
        source,
        driving,
        provider,
        values['whole-frame'] ?? false,
        values.int8 ?? false,
        sessionCache,
      );
  console.log(JSON.stringify(report));
}

export async function benchCommand(argv: string[], places: ModelPlaces): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      frames: { type: 'string' },
      'naive-frames': { type: 'string' },
      models: { type: 'string' },
      provider: { type: 'string' },
      'reference-frames': { type: 'string' },
      'startup-frames': { type: 'string' },
      int8: { type: 'boolean' },
    },
  });
  // CPU fast mode: models with an int8 plan run their int8 generator (calibrated once, first).
  const int8 = values.int8 ?? false;
  // The CPU unless asked: a benchmark measures one provider, named in its header.
  const provider = executionProvider(values.provider) ?? 'cpu';
  const lengths = (values.frames ?? '100,1000').split(',').map(Number);
  const naiveFrames = Number(values['naive-frames'] ?? 30);
  const referenceFrames = Number(values['reference-frames'] ?? 60);
  const startupFrames = Number(values['startup-frames'] ?? 3);
  const { source, driving } = ensureInputs(Math.max(...lengths, naiveFrames, referenceFrames));
  const catalogue = (await listModels(places)).models;
  const wanted = (values.models ?? `vox-256-random,${DEFAULT_MODEL}`).split(',');
  const models = wanted.flatMap((id) => {
    if (id === 'vox-256-random') return [{ id, dir: ensurePublishedArchitecture() }];
    const hit = catalogue.find((m) => m.id === id);
    if (!hit) console.error(`skipping ${id}: not installed`);
    return hit ? [{ id, dir: hit.dir }] : [];
  });
  const cli = path.join(path.dirname(fileURLToPath(import.meta.url)), 'cli.mjs');
  // Optimised CPU graphs kept between runs, as the app keeps them (session-cache.ts); the start-up
  // table shows a job without them too. The bench's own folder, emptied first.
  const sessionCache = path.join(benchDir(), 'session-cache');
  rmSync(sessionCache, { recursive: true, force: true });
  const measure = (dir: string, frames: number, naive: boolean, wholeFrame = false): RunReport => {
    const args = [
      cli,
      'bench-run',
      '--model',
      dir,
      '--frames',
      String(frames),
      '--source',
      source,
      '--driving',
      driving,
      '--provider',
      provider,
      '--session-cache',
      sessionCache,
    ];
    if (naive) args.push('--naive');
    if (wholeFrame) args.push('--whole-frame');
    if (int8 && !naive) args.push('--int8');
    const proc = spawnSync(process.execPath, args, {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    });
    if (proc.status !== 0) throw new Error(`bench run failed: ${proc.stderr}`);
    return JSON.parse(proc.stdout.trim().split('\n').pop()!) as RunReport;
  };
  const rows: string[][] = [];
  const workRows: string[][] = [];
  const referenceRows: string[][] = [];
  const startupRows: string[][] = [];
  let lastProvider: string | null = null;
  for (const model of models) {
    if (int8) {
      // Calibration happens once a model (the first fast job); every measured run uses what it kept.
      console.error(`${model.id}: int8 calibration job…`);
      const first = measure(model.dir, 8, false, true);
      console.log(
        `${model.id}: ${first.provider}; calibration ${((first.stagesMs?.calibrateMs ?? 0) / 1000).toFixed(1)} s`,
      );
    }
    const runs = lengths.map((n) => {
      console.error(`${model.id}: ${n} frames…`);
      return measure(model.dir, n, false);
    });
    console.error(`${model.id}: naive baseline, ${naiveFrames} frames…`);
    const naive = measure(model.dir, naiveFrames, true);
    const short = runs[0]!;
    lastProvider = short.provider;
    const ms = short.msPerFrame;
    const rss = runs.map((r) => `${r.frames}f ${r.peakRssMB.toFixed(0)} MB`).join(', ');
    const rssGrowth =
      runs.length > 1 ? ((runs.at(-1)!.peakRssMB / short.peakRssMB - 1) * 100).toFixed(1) + '%' : 'n/a';
    rows.push([
      model.id,
      ms.keypoints!.toFixed(1),
      ms.generator!.toFixed(1),
      ms.transfer!.toFixed(2),
      ms.encode!.toFixed(1),
      ms.total!.toFixed(1),
      runs.map((r) => r.fps.toFixed(2)).join(' / '),
      `${rss} (${rssGrowth})`,
      naive.msPerFrame.total!.toFixed(1),
      `${(naive.msPerFrame.total! / ms.total!).toFixed(2)}x`,
    ]);
    if (startupFrames > 0) {
      // A short job is mostly start-up: where its time goes, the first time (the graphs optimised
      // and kept) and every time after (the kept graphs).
      for (const kept of [false, true]) {
        if (!kept) rmSync(sessionCache, { recursive: true, force: true });
        const t = measure(model.dir, startupFrames, false).stagesMs!;
        const cells = [
          t.probeMs,
          t.loadMs,
          t.framingMs,
          t.sourceMs,
          t.keypointsMs,
          t.calibrateMs,
          t.generatorMs,
          t.finishMs,
          t.totalMs,
        ];
        const label = `${model.id}${kept ? ', graphs kept' : ', first run: graphs optimised'}`;
        startupRows.push([label, ...cells.map((v) => (v ?? 0).toFixed(0))]);
      }
    }
    // The work per frame, counted from the networks' convolutions, and the rate the engine achieved.
    const work = await referenceRun(model.dir, ['--macs-only']);
    if (typeof work === 'string') workRows.push([model.id, work, '', '', '', '']);
    else {
      const { kp_detector: kp, generator: gen, source_encoder: enc } = work.macs;
      const rate = (macs: number, msPerFrame: number) => (macs / (msPerFrame / 1000) / 1e9).toFixed(1);
      workRows.push([
        model.id,
        giga(kp),
        giga(gen),
        giga(enc),
        rate(kp, ms.keypoints!),
        rate(gen, ms.generator!),
      ]);
    }
    if (referenceFrames > 0) {
      // Interleaved (reference, engine, reference, engine): both see the same state of the machine.
      const out = path.join(benchDir(), 'out-reference.mp4');
      const args = [
        '--source',
        source,
        '--driving',
        driving,
        '--frames',
        String(referenceFrames),
        '--out',
        out,
      ];
      const times: { reference: number[]; engine: number[] } = { reference: [], engine: [] };
      let failure: string | null = null;
      for (let round = 0; round < 2 && !failure; round++) {
        console.error(
          `${model.id}: PyTorch reference and engine, ${referenceFrames} frames (round ${round + 1} of 2)…`,
        );
        const ref = await referenceRun(model.dir, args);
        if (typeof ref === 'string') failure = ref;
        else times.reference.push(ref.seconds!);
        // The same job as the reference's: the whole frame, no face detection.
        times.engine.push(measure(model.dir, referenceFrames, false, true).seconds);
      }
      const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
      referenceRows.push(
        failure
          ? [model.id, failure, '', '']
          : [
              model.id,
              times.reference.map((t) => t.toFixed(1)).join(' / '),
              times.engine.map((t) => t.toFixed(1)).join(' / '),
              `${(sum(times.reference) / sum(times.engine)).toFixed(2)}x`,
            ],
      );
    }
  }
  console.log(
    `frames: ${lengths.join(', ')}; provider: ${models.length ? (lastProvider ?? provider) : provider}; ${process.platform} ${process.arch}, ${(await import('node:os')).availableParallelism()} cores`,
  );
  console.log(
    markdownTable(
      [
        'model',
        'keypoints ms/f',
        'generator ms/f',
        'transfer ms/f',
        'encode wait ms/f',
        'end-to-end ms/f',
        'fps (per length)',
        'peak RSS (growth)',
        'naive ms/f',
        'speed-up',
      ],
      rows,
    ),
  );
  if (startupRows.length) {
    console.log(`\nA ${startupFrames}-frame job, ms per stage (start-up first):`);
    console.log(
      markdownTable(
        [
          'model',
          'probe',
          'model load',
          'framing',
          'source encoding',
          'keypoints',
          'int8 check',
          'generator',
          'finish',
          'whole job',
        ],
        startupRows,
      ),
    );
  }
  console.log(
    '\nWork per frame (multiply-accumulates of every convolution, counted by fomm.reference_run) and the rate achieved:',
  );
  console.log(
    markdownTable(
      [
        'model',
        'keypoints GMAC/f',
        'generator GMAC/f',
        'source encoder GMAC (once a job)',
        'keypoints GMAC/s',
        'generator GMAC/s',
      ],
      workRows,
    ),
  );
  if (referenceRows.length) {
    console.log(
      `\nThe same ${referenceFrames}-frame job with the PyTorch reference (models/fomm, the authors' way: one frame at a time, the whole generator each frame; every core), interleaved with the engine:`,
    );
    console.log(
      markdownTable(
        ['model', 'PyTorch reference s (two runs)', 'engine s (two runs)', 'engine speed-up'],
        referenceRows,
      ),
    );
  }
}
