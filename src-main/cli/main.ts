/**
 * marionette: the headless command line of the engine.
 *
 *   marionette animate --source IMG --driving CLIP --output OUT.mp4 [options]
 *   marionette animate --project SAVED.marionette [--output OUT.mp4] [options]
 *   marionette batch --sources A.jpg,B.png --drivings X.mp4,Y.mp4 --out-dir DIR [options]
 *   marionette keypoints --input IMAGE|VIDEO [--model ID] [-o FILE.json]
 *   marionette models
 *   marionette bench [--frames 100,1000] [--naive-frames 30] [--reference-frames 60] [--models vox-256-random,face-128]
 */
import { ModelSubjectSchema } from '../../src-shared/model-manifest.js';
import { access, constants, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { withFormatExtension } from '../../src-shared/export-format.js';
import type { JobSpec } from '../../src-shared/job.js';
import type { ProjectDoc } from '../../src-shared/project-file.js';
import { EngineClient, nodeTransport } from '../engine/client.js';
import { cancelled, EngineError } from '../engine/errors.js';
import {
  DEFAULT_MODEL,
  importedModel,
  listModels,
  modelPlaces,
  type ModelPlaces,
  removeImportedModel,
  resolveModelDir,
} from '../engine/model-catalog.js';
import { openProjectFile } from '../app/project-files.js';
import { sweepOrphans } from '../media/partial-journal.js';
import { jobFromFlags, progressLine, settingsFromFlags, UsageError } from './options.js';

const renderFlags = {
  model: { type: 'string' },
  'trim-in': { type: 'string' },
  'trim-out': { type: 'string' },
  mode: { type: 'string' },
  'no-adapt-scale': { type: 'boolean' },
  'absolute-jacobian': { type: 'boolean' },
  smooth: { type: 'boolean' },
  'best-frame': { type: 'boolean' },
  'no-audio': { type: 'boolean' },
  size: { type: 'string' },
  crf: { type: 'string' },
  provider: { type: 'string' },
  'gpu-float32': { type: 'boolean' },
  int8: { type: 'boolean' },
  'no-int8': { type: 'boolean' },
  batch: { type: 'string' },
  'side-by-side': { type: 'boolean' },
  occlusion: { type: 'boolean' },
  'keypoint-overlay': { type: 'boolean' },
  'keypoints-json': { type: 'boolean' },
  'source-crop': { type: 'string' },
  face: { type: 'string' },
  'driving-crop': { type: 'string' },
  'no-auto-frame': { type: 'boolean' },
  'follow-subject': { type: 'boolean' },
  'paste-back': { type: 'boolean' },
  'max-side': { type: 'string' },
  format: { type: 'string' },
  overwrite: { type: 'boolean', short: 'y' },
  quiet: { type: 'boolean', short: 'q' },
} as const;

const USAGE = `usage:
  marionette animate --source IMAGE --driving VIDEO --output OUT.mp4 [options]
  marionette animate --project SAVED.marionette [--output OUT.mp4] [options]
  marionette batch --sources A,B,... --drivings X,Y,... --out-dir DIR [--redis URL] [options]
  marionette worker --redis redis://HOST:PORT [--concurrency N] [--name NAME]
  marionette keypoints --input IMAGE|VIDEO [--model ID|DIR] [--crop x,y,size] [-o FILE.json]
  marionette models
  marionette models import CHECKPOINT.pth.tar [--name NAME] [--id ID] [--subject face|body|other]
  marionette models remove ID
  marionette bench [--frames 100,1000] [--naive-frames 30] [--reference-frames 60] [--models vox-256-random,face-128]
options:
  --project FILE        a project saved by the studio: its model, files, trim, crops and settings,
                        each replaced by the flag that names it
  --model ID|DIR        model set (default: the bundled face-128)
  --trim-in S --trim-out S   range of the driving clip in seconds
  --mode relative|absolute   motion transfer (paper Sec. 3.4; default relative)
  --no-adapt-scale      do not scale motion by keypoint-hull size
  --smooth              One Euro smoothing of the driving keypoints
  --best-frame          use the driving frame closest in pose to the source as reference
  --no-audio            do not copy the driving clip's audio
  --size N              output side in pixels (default: model resolution)
  --crf N               quality, 0-51, lower is better (default 18; H.264, H.265, WebM)
  --format F            h264|h265|prores-hq|prores-4444|webm|gif|lossless|png-sequence (default:
                        what the output's extension names: .mp4 H.264, .mov ProRes, .webm VP9,
                        .gif, .mkv lossless FFV1; png-sequence writes a new folder of frames)
  -y, --overwrite       replace an existing output file (never a device, FIFO or folder)
  --provider auto|cpu|webgpu|cuda|dml|coreml   execution provider (default auto: CUDA, a GPU through
                                       WebGPU, DirectML/CoreML, else CPU; the one used is printed)
  --gpu-float32         on a GPU, the float32 graphs even where the model has float16 ones
  --int8 / --no-int8    fast mode on the CPU: the generator in int8 where the model has one (imported
                        and bench models); the first fast job calibrates it on its own frames (a few
                        seconds, kept in the model folder); every fast job checks it against float32
                        on two of its frames and uses it only at 32 dB PSNR or better
  --source-crop x,y,size --driving-crop x,y,size   square crops in pixels (default: automatic)
  --no-auto-frame       centred squares instead of finding the face (face models only find faces)
  --face N              in a photo with several faces, frame face N (1 = the largest; default 1)
  --follow-subject      the driving crop follows the face (smoothed) instead of one stable square
  --paste-back          composite the animation into the full source photo (its resolution)
  --max-side N          paste-back output's longer side cap in pixels (default 1920)
  --side-by-side --occlusion --keypoint-overlay --keypoints-json   extra outputs beside OUT.mp4
  --redis URL           batch: render on the farm (BullMQ on this Redis) instead of here; every path
                        must be on storage all workers share; worker: take renders from it
  --concurrency N       worker: renders at once on this machine (default 1)
  --lock-seconds S      worker: a job whose worker stops answering for S seconds goes to another
                        (default 30)`;

function reporter(quiet: boolean, label = '') {
  const tty = process.stderr.isTTY;
  let lastPct = -1;
  return (stage: string, done: number, total: number, fps: number, provider?: string | null) => {
    if (quiet) return;
    const line = `${label}${progressLine(stage, done, total, fps, provider)}`;
    if (tty) process.stderr.write(`\r${line}\x1b[K`);
    else {
      const pct = Math.floor((10 * done) / Math.max(1, total));
      if (pct !== lastPct || done === total) process.stderr.write(`${line}\n`);
      lastPct = pct;
    }
  };
}

/** Exit codes of a cancel, by the signal that asked for it (128 + its number, as shells report). */
export const SIGNAL_EXIT: Record<'SIGINT' | 'SIGTERM' | 'SIGHUP', number> = {
  SIGINT: 130,
  SIGTERM: 143,
  SIGHUP: 129,
};
let cancelledBy: keyof typeof SIGNAL_EXIT = 'SIGINT';

/**
 * Ctrl-C, SIGTERM and SIGHUP abort the work instead of killing the process, so that it can clean
 * up (the engine process is in its own process group: a terminal's Ctrl-C reaches only us). A
 * second signal while cancelling exits at once.
 */
async function withCancel<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = (name: keyof typeof SIGNAL_EXIT) => {
    if (controller.signal.aborted) process.exit(SIGNAL_EXIT[name]);
    cancelledBy = name;
    // stderr may be gone (SIGHUP: the terminal closed): never die of EPIPE on the way out.
    try {
      process.stderr.write('\ncancelling…\n');
    } catch {
      /* the terminal is gone */
    }
    controller.abort();
  };
  const handlers = (Object.keys(SIGNAL_EXIT) as (keyof typeof SIGNAL_EXIT)[]).map(
    (name) => [name, () => onSignal(name)] as const,
  );
  for (const [name, handler] of handlers) process.on(name, handler);
  try {
    return await work(controller.signal);
  } catch (err) {
    if (controller.signal.aborted && !(err instanceof EngineError && err.code !== 'cancelled'))
      throw cancelled();
    throw err;
  } finally {
    for (const [name, handler] of handlers) process.off(name, handler);
  }
}

async function withEngine<T>(work: (engine: EngineClient, signal: AbortSignal) => Promise<T>): Promise<T> {
  const engine = new EngineClient(nodeTransport());
  try {
    await engine.ready;
    return await withCancel((signal) => work(engine, signal));
  } finally {
    await engine.shutdown();
  }
}

async function runJob(engine: EngineClient, job: JobSpec, signal: AbortSignal, quiet: boolean, label = '') {
  const report = reporter(quiet, label);
  const result = await engine.run(job, {
    signal,
    onProgress: (e) => report(e.stage, e.done, e.total, e.fps, e.provider),
  });
  if (!quiet && process.stderr.isTTY) process.stderr.write('\n');
  return result;
}

/** A saved studio project; refused when a file it needs is gone and no flag replaces it. */
async function projectForCli(
  file: string,
  flags: { source?: string; driving?: string },
): Promise<ProjectDoc> {
  const { project, missing } = await openProjectFile(file);
  const unreplaced = (!project.sourcePath && !flags.source) || (!project.drivingPath && !flags.driving);
  if (missing.length > 0 && unreplaced) {
    throw new Error(
      `project ${file}: not found: ${missing.join(', ')} (moved or deleted); give --source / --driving instead`,
    );
  }
  return project;
}

async function animateCommand(argv: string[], places: ModelPlaces): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...renderFlags,
      source: { type: 'string' },
      driving: { type: 'string' },
      output: { type: 'string', short: 'o' },
      project: { type: 'string' },
    },
  });
  const project = values.project ? await projectForCli(values.project, values) : null;
  const model = values.model ?? project?.modelId ?? undefined;
  const job = jobFromFlags(values, model ?? 'default', project);
  job.modelDir = await resolveModelDir(model, places);
  const result = await withEngine((engine, signal) => runJob(engine, job, signal, values.quiet === true));
  console.log(
    `wrote ${result.outputPath}: ${result.frames} frames in ${result.seconds.toFixed(1)} s ` +
      `(${(result.frames / result.seconds).toFixed(2)} fps, ${result.executionProvider})`,
  );
  for (const extra of result.extraOutputs) console.log(`wrote ${extra}`);
  const crop = (c: JobSpec['sourceCrop']) => (c ? `${c.size}px at (${c.x}, ${c.y})` : 'centred');
  const driving = result.drivingTrack
    ? `${result.drivingTrack.size}px following the face (${result.drivingTrack.keys.length} keys)`
    : crop(result.drivingCrop);
  if (!values.quiet) console.log(`framing: source ${crop(result.sourceCrop)}, driving ${driving}`);
}

async function batchCommand(argv: string[], places: ModelPlaces): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...renderFlags,
      sources: { type: 'string' },
      drivings: { type: 'string' },
      'out-dir': { type: 'string' },
      redis: { type: 'string' },
    },
  });
  const list = (v: string | undefined, flag: string) => {
    const items = (v ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (!items.length) throw new UsageError(`${flag} needs at least one file (comma-separated)`);
    return items;
  };
  const sources = list(values.sources, '--sources');
  const drivings = list(values.drivings, '--drivings');
  const outDir = values['out-dir'];
  if (!outDir) throw new UsageError('--out-dir is required');
  const stem = (p: string) => path.basename(p, path.extname(p));
  // Flags are checked before anything else happens.
  const format = settingsFromFlags(values).exportFormat ?? 'h264';
  // On the farm each worker finds the model in its own catalogue (or a folder on the shared storage).
  const farm = values.redis;
  const model = farm
    ? values.model?.includes('/')
      ? path.resolve(values.model)
      : (values.model ?? DEFAULT_MODEL)
    : await resolveModelDir(values.model, places);
  const modelDir = farm ? 'farm' : model;
  // One output name per pair, never two jobs writing one file: photos or clips that share a
  // name (b1/face.jpg, b2/face.jpg) are told apart by a number.
  const names = new Set<string>();
  const at = (p: string) => (farm ? path.resolve(p) : p);
  const jobs = sources.flatMap((source) =>
    drivings.map((driving) => {
      const base = `${stem(source)}__${stem(driving)}`;
      let name = base;
      for (let n = 2; names.has(name.toLowerCase()); n++) name = `${base}-${n}`;
      names.add(name.toLowerCase());
      const output = withFormatExtension(path.join(at(outDir), `${name}.mp4`), format);
      return jobFromFlags({ ...values, source: at(source), driving: at(driving), output }, modelDir);
    }),
  );
  if (farm) return farmBatch(farm, model, jobs, values.quiet === true, outDir);
  await mkdir(outDir, { recursive: true });
  let failures = 0;
  await withEngine(async (engine, signal) => {
    for (const [i, job] of jobs.entries()) {
      if (signal.aborted) break;
      const label = `[${i + 1}/${jobs.length}] `;
      try {
        const result = await runJob(engine, job, signal, values.quiet === true, label);
        console.log(
          `${label}wrote ${result.outputPath} (${result.frames} frames, ${result.seconds.toFixed(1)} s)`,
        );
      } catch (err) {
        if (err instanceof EngineError && err.code === 'cancelled') throw err;
        failures += 1;
        console.error(`${label}failed: ${(err as Error).message}`);
      }
    }
  });
  if (failures) throw new Error(`${failures} of ${jobs.length} jobs failed`);
}

/**
 * A batch on the farm: each file is checked here first (a clear error now rather than three failed
 * attempts later), then the jobs go on the queue and their progress is printed as workers report it.
 */
async function farmBatch(
  redis: string,
  model: string,
  jobs: readonly JobSpec[],
  quiet: boolean,
  outDir: string,
): Promise<void> {
  for (const job of jobs)
    for (const [file, what] of [
      [job.sourcePath, 'source image'],
      [job.drivingPath, 'driving video'],
    ] as const)
      await access(file, constants.R_OK).catch(() => {
        throw new Error(
          `${what} ${file} cannot be read here; farm jobs name files on storage all workers share`,
        );
      });
  await mkdir(outDir, { recursive: true });
  const { submitToFarm } = await import('../farm/submit.js');
  const label = (i: number) => `[${i + 1}/${jobs.length}] `;
  const reports = jobs.map((_, i) => reporter(quiet, label(i)));
  const outcome = await withCancel((signal) =>
    submitToFarm(
      redis,
      // The job's own modelDir is not sent: each worker resolves `model` itself.
      jobs.map((job) => ({ model, job })),
      (e) => {
        if (e.type === 'queued')
          console.log(`${label(e.index)}queued ${path.basename(jobs[e.index]!.outputPath)} (${e.jobId})`);
        else if (e.type === 'progress')
          reports[e.index]!(
            e.progress.stage,
            e.progress.done,
            e.progress.total,
            e.progress.fps,
            `${e.progress.worker}, ${e.progress.provider ?? 'cpu'}`,
          );
        else if (e.type === 'stalled')
          console.log(`${label(e.index)}its worker stopped answering: handed to another`);
        else if (e.type === 'done') console.log(`${label(e.index)}wrote ${e.outputPath} (on ${e.worker})`);
        else console.error(`${label(e.index)}failed after ${e.attempts} attempt(s): ${e.reason}`);
      },
      signal,
    ),
  );
  if (outcome.failed) throw new Error(`${outcome.failed} of ${jobs.length} jobs failed`);
}

async function workerCommand(argv: string[], places: ModelPlaces): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      redis: { type: 'string' },
      concurrency: { type: 'string' },
      name: { type: 'string' },
      'lock-seconds': { type: 'string' },
    },
  });
  if (!values.redis) throw new UsageError('worker needs --redis redis://HOST:PORT');
  const concurrency = Number(values.concurrency ?? 1);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 16)
    throw new UsageError(`--concurrency takes a whole number from 1 to 16, got "${values.concurrency}"`);
  const lockSeconds = Number(values['lock-seconds'] ?? 30);
  if (!(lockSeconds >= 2 && lockSeconds <= 3600))
    throw new UsageError(`--lock-seconds takes seconds from 2 to 3600, got "${values['lock-seconds']}"`);
  const { runFarmWorker } = await import('../farm/worker.js');
  const controller = new AbortController();
  let stopping = false;
  const stop = () => {
    if (stopping) process.exit(130);
    stopping = true;
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await runFarmWorker({
    redis: values.redis,
    places,
    concurrency,
    lockSeconds,
    ...(values.name ? { name: values.name } : {}),
    log: (line) => console.log(line),
    signal: controller.signal,
  });
}

async function modelsCommand(places: ModelPlaces): Promise<void> {
  const { models, problems } = await listModels(places);
  for (const m of models) {
    const [h, w] = m.manifest.resolution;
    console.log(
      `${m.id.padEnd(20)} ${m.origin.padEnd(9)} ${w}x${h}  ${m.manifest.num_kp} keypoints  ${m.manifest.name}  ${m.dir}`,
    );
  }
  for (const p of problems) console.error(`skipped ${p.dir}: ${p.problem}`);
  if (!models.length) console.log('no models found');
}

async function importCommand(argv: string[], places: ModelPlaces): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      id: { type: 'string' },
      subject: { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
    },
  });
  if (positionals.length !== 1) throw new UsageError('models import takes one checkpoint file');
  const subject = values.subject === undefined ? undefined : ModelSubjectSchema.safeParse(values.subject);
  if (subject && !subject.success)
    throw new UsageError(`--subject takes face, body or other, got "${values.subject}"`);
  const { importInThread } = await import('../import/import-thread.js');
  const modelsDir = places.imported;
  await mkdir(modelsDir, { recursive: true });
  const report = reporter(values.quiet === true);
  const result = await withCancel((signal) =>
    importInThread(positionals[0]!, {
      templatesDir: places.templates,
      modelsDir,
      onExisting: 'refuse',
      signal,
      onProgress: (done, total) => report('import', done, total, 0),
      ...(values.id ? { id: values.id } : {}),
      ...(values.name ? { name: values.name } : {}),
      ...(subject?.success ? { subject: subject.data } : {}),
    }),
  );
  if (values.quiet !== true && process.stderr.isTTY) process.stderr.write('\n');
  console.log(
    `imported ${positionals[0]} (${result.format} format, ${result.architecture}) as model "${result.id}" in ${result.dir}`,
  );
}

async function removeCommand(argv: string[], places: ModelPlaces): Promise<void> {
  if (argv.length !== 1) throw new UsageError('models remove takes one model id');
  const entry = await importedModel(argv[0]!, places);
  await removeImportedModel(entry, places);
  console.log(`removed model "${entry.id}" (${entry.dir})`);
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  // Temporaries of renders whose process was killed (SIGKILL, power loss) go first.
  await sweepOrphans().catch(() => undefined);
  // Where models are is read from the environment here, once.
  const places = modelPlaces();
  try {
    switch (command) {
      case 'animate':
        await animateCommand(rest, places);
        return 0;
      case 'batch':
        await batchCommand(rest, places);
        return 0;
      case 'worker':
        await workerCommand(rest, places);
        return 0;
      case 'models':
        if (rest[0] === 'import') await importCommand(rest.slice(1), places);
        else if (rest[0] === 'remove') await removeCommand(rest.slice(1), places);
        else if (rest.length) throw new UsageError(`unknown models subcommand "${rest[0]}"`);
        else await modelsCommand(places);
        return 0;
      case 'keypoints': {
        const { keypointsCommand } = await import('./keypoints.js');
        await keypointsCommand(rest, places);
        return 0;
      }
      case 'bench': {
        const { benchCommand } = await import('./bench.js');
        await benchCommand(rest, places);
        return 0;
      }
      case 'bench-run': {
        const { benchRunCommand } = await import('./bench.js');
        await benchRunCommand(rest);
        return 0;
      }
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        console.log(USAGE);
        return command ? 0 : 2;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith?.('ERR_PARSE_ARGS')) {
      console.error(`marionette: ${(err as Error).message}\n${USAGE}`);
      return 2;
    }
    if (err instanceof EngineError && err.code === 'cancelled') {
      console.error('marionette: cancelled; no output written');
      return SIGNAL_EXIT[cancelledBy];
    }
    console.error(`marionette: ${(err as Error).message}`);
    return 1;
  }
}
