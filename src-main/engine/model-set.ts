/**
 * Loads an exported model set (manifest + three ONNX graphs) into ONNX Runtime sessions on the
 * best execution provider available, and runs its graphs with typed inputs and outputs.
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { describeIssues, type ExecutionProviderChoice } from '../../src-shared/job.js';
import { ModelManifestSchema, type ModelManifest } from '../../src-shared/model-manifest.js';
import type { Keypoints } from '../../src-shared/motion/keypoints.js';
import { joinBatch, splitBatch } from '../../src-shared/motion/keypoints.js';
import { tile } from './tensors.js';
import { createSession, type SessionCacheOutcome } from './session-cache.js';
import {
  calibrateInt8,
  describeAgreement,
  Int8Error,
  predictions,
  readCalibration,
  readInt8Plan,
  type CalibrationReport,
} from './int8.js';
import { framesAgreement, INT8_MIN_PSNR_DB, type Int8Plan } from '../../src-shared/int8/quantize.js';
import {
  cudaInstalled,
  findGpu,
  type GpuAdapter,
  prepareWebGpuEnvironment,
  providerLabel,
  providerPlan,
} from './providers.js';

export class ModelError extends Error {
  override name = 'ModelError';
}

/** The first line of an ONNX Runtime error, in words where it is a known one. */
function plainProviderError(message: string): string {
  if (/No supported adapters|Failed to get a WebGPU adapter/i.test(message)) return 'no GPU adapter found';
  const line = message.split('\n')[0] ?? message;
  return line.length > 160 ? `${line.slice(0, 160)}…` : line;
}

export async function readManifest(modelDir: string): Promise<ModelManifest> {
  let text: string;
  try {
    text = await readFile(path.join(modelDir, 'manifest.json'), 'utf8');
  } catch {
    throw new ModelError(`model folder ${modelDir} has no readable manifest.json`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ModelError(`${modelDir}/manifest.json is not valid JSON`);
  }
  const parsed = ModelManifestSchema.safeParse(json);
  if (!parsed.success) throw new ModelError(`${modelDir}/manifest.json: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/**
 * The photo as the generator needs it, computed once per job. On a GPU provider `features` stays
 * in GPU memory (ONNX Runtime's I/O binding) and goes back into the generator from there: it is
 * never read on the CPU (onnxruntime-node cannot download a GPU tensor).
 */
export interface SourceEncoding {
  image: Float32Array;
  kp: Keypoints;
  features: ort.Tensor;
}

/** What a render reads back of the generator's outputs (the keypoint mask is never read). */
export interface GeneratorOutput {
  prediction: Float32Array;
  occlusionMap: Float32Array;
  occlusionDims: readonly number[];
  deformation: Float32Array;
}

const GENERATOR_FETCHES = ['prediction', 'occlusion_map', 'deformation'];

/** Where a graph's output is left: GPU providers keep the source features for the generator. */
type OutputLocations = Record<string, ort.Tensor.DataLocation>;

export interface LoadOptions {
  /** Keep the encoder's output in GPU memory for the generator (GPU providers; default true). */
  keepFeaturesOnDevice?: boolean;
  /** On a GPU provider, the model's float16 encoder and generator where it has them (default true). */
  gpuFloat16?: boolean;
  /** On the CPU, the model's int8 generator (fast mode), checked on every job (prepareInt8). */
  int8?: boolean;
  /** The PSNR against float32 a job's int8 check must reach (default INT8_MIN_PSNR_DB). */
  int8MinPsnrDb?: number;
  /**
   * Where optimised CPU graphs are kept between runs (session-cache.ts; the engine process uses
   * cacheHome()/sessions); null or absent: every load optimises again.
   */
  sessionCache?: string | null;
}

/** Fast mode where the model and the provider allow it. */
interface Int8Mode {
  plan: Int8Plan;
  /** The calibration kept in the model folder. */
  report: CalibrationReport | null;
  /** The int8 generator, once calibrated. */
  session: ort.InferenceSession | null;
  /** This job runs it (its check passed). */
  active: boolean;
  /** What this job's check found, or why it could not run. */
  note: string | null;
  minPsnrDb: number;
}

export class ModelSet {
  private constructor(
    readonly dir: string,
    readonly manifest: ModelManifest,
    private readonly provider: { name: string; gpu: GpuAdapter | null; notes: string[] },
    /** Whether the source features stay in GPU memory between the encoder and the generator. */
    readonly featuresOnDevice: boolean,
    private readonly half: boolean,
    private readonly kpSession: ort.InferenceSession,
    private readonly encoderSession: ort.InferenceSession,
    private readonly generatorSession: ort.InferenceSession,
    /** Fast mode: null when not asked for or not possible (`int8Off` says why). */
    private readonly int8: Int8Mode | null,
    private readonly int8Off: string | null,
    private readonly sessionOptions: ort.InferenceSession.SessionOptions,
    /** How the keypoint detector's, encoder's and generator's sessions were created (session-cache.ts). */
    readonly sessionCache: readonly SessionCacheOutcome[],
  ) {}

  /** The generator this job runs. */
  private get generator(): ort.InferenceSession {
    return this.int8?.active && this.int8.session ? this.int8.session : this.generatorSession;
  }

  /** What the generator computes in. */
  get precision(): 'float32' | 'float16' | 'int8' {
    return this.int8?.active ? 'int8' : this.half ? 'float16' : 'float32';
  }

  /**
   * Where it runs, in words: "cpu, int8 (int8 43.1 dB against float32 on this job)",
   * "webgpu: NVIDIA …, float16".
   */
  get executionProvider(): string {
    const notes = [...this.provider.notes];
    const int8 = this.int8Off ?? this.int8?.note;
    if (int8) notes.push(int8);
    return providerLabel(this.provider.name, this.provider.gpu, notes, this.precision);
  }

  /** Fast mode was asked for and is possible: each job checks (or calibrates) it (prepareInt8). */
  get int8Available(): boolean {
    return this.int8 !== null;
  }

  get size(): { width: number; height: number } {
    return { height: this.manifest.resolution[0], width: this.manifest.resolution[1] };
  }

  static async load(
    dir: string,
    choice: ExecutionProviderChoice = 'auto',
    threads = os.availableParallelism(),
    {
      keepFeaturesOnDevice = true,
      gpuFloat16 = true,
      int8 = false,
      int8MinPsnrDb = INT8_MIN_PSNR_DB,
      sessionCache = null,
    }: LoadOptions = {},
  ): Promise<ModelSet> {
    const manifest = await readManifest(dir);
    const gpu = choice === 'cpu' ? null : findGpu();
    const plan = providerPlan(choice, process.platform, { cudaInstalled: cudaInstalled(), gpu });
    const fallbacks: string[] = [];
    // A GPU provider tries the float16 graphs first (when the model has them), then the float32 ones.
    const attempts = plan.flatMap((step) =>
      gpuFloat16 && manifest.gpu_float16 && step.provider !== 'cpu' && !step.skip
        ? [
            { ...step, half: true },
            { ...step, half: false },
          ]
        : [{ ...step, half: false }],
    );
    let halfFailure: string | null = null;
    for (const { provider, skip, half } of attempts) {
      if (skip) {
        // Only what the user would wonder about: a GPU path that was not taken.
        if (provider !== 'cuda') fallbacks.push(`${provider}: ${skip}`);
        continue;
      }
      try {
        // A float16 failure is only worth telling when float32 then works on the same provider.
        const told = halfFailure ? [...fallbacks, `${provider} float16: ${halfFailure}`] : fallbacks;
        return await ModelSet.open(dir, manifest, provider, half, told, {
          gpu,
          threads,
          keepFeaturesOnDevice,
          int8: int8 ? int8MinPsnrDb : null,
          sessionCache,
        });
      } catch (err) {
        const reason = plainProviderError((err as Error).message);
        if (half) {
          halfFailure = reason;
          continue;
        }
        halfFailure = null;
        fallbacks.push(`${provider}: ${reason}`);
        if (provider === 'cpu') break;
      }
    }
    throw new ModelError(`cannot load model ${manifest.name} from ${dir} (${fallbacks.join('; ')})`);
  }

  /** The three sessions on one provider, tried once on a GPU; throws what the provider said. */
  private static async open(
    dir: string,
    manifest: ModelManifest,
    provider: string,
    half: boolean,
    fallbacks: readonly string[],
    {
      gpu,
      threads,
      keepFeaturesOnDevice,
      int8,
      sessionCache,
    }: {
      gpu: GpuAdapter | null;
      threads: number;
      keepFeaturesOnDevice: boolean;
      /** Fast mode's PSNR bar, or null: not asked for. */
      int8: number | null;
      sessionCache: string | null;
    },
  ): Promise<ModelSet> {
    if (provider === 'webgpu') prepareWebGpuEnvironment();
    const options: ort.InferenceSession.SessionOptions = {
      executionProviders: [provider],
      graphOptimizationLevel: 'all',
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
    };
    // Only a generator that repeats one source over its batch can take the features as they are;
    // older exports get copies made on the CPU, so the encoder's output must come back there.
    const onDevice = keepFeaturesOnDevice && provider !== 'cpu' && manifest.source_broadcast === true;
    const sessions: ort.InferenceSession[] = [];
    const outcomes = new Map<string, SessionCacheOutcome>();
    try {
      const open = async (file: string, locations?: OutputLocations) => {
        const { session, cache } = await createSession(
          path.join(dir, file),
          locations ? { ...options, preferredOutputLocation: locations } : options,
          sessionCache,
        );
        sessions.push(session);
        outcomes.set(file, cache);
        return session;
      };
      const graphs = half && manifest.gpu_float16 ? manifest.gpu_float16 : manifest.files;
      const fast = int8 === null ? null : await ModelSet.int8Mode(dir, manifest, provider, int8);
      const possible = typeof fast === 'string' ? null : fast;
      const [kp, enc, gen, int8Session] = await Promise.all([
        open(manifest.files.kp_detector.file),
        open(graphs.source_encoder.file, onDevice ? { source_features: 'gpu-buffer' } : undefined),
        open(graphs.generator.file),
        // A kept int8 generator that will not load is calibrated again by the job, not fatal.
        possible?.report ? open(possible.plan.graph).catch(() => null) : null,
      ]);
      const mode = possible ? { ...possible, session: int8Session } : null;
      const models = new ModelSet(
        dir,
        manifest,
        { name: provider, gpu: provider === 'webgpu' ? gpu : null, notes: [...fallbacks] },
        onDevice,
        half,
        kp,
        enc,
        gen,
        mode,
        typeof fast === 'string' ? fast : null,
        options,
        [manifest.files.kp_detector.file, graphs.source_encoder.file, graphs.generator.file].map(
          (file) => outcomes.get(file) ?? 'off',
        ),
      );
      // A provider can create a session and still fail on its first run (a GPU without a
      // kernel it needs): run the graphs once before trusting it.
      if (provider !== 'cpu') await models.trialRun();
      return models;
    } catch (err) {
      await Promise.all(sessions.map((s) => s.release().catch(() => undefined)));
      throw err;
    }
  }

  /** Fast mode as far as loading can tell: its plan and kept calibration, or why not. */
  private static async int8Mode(
    dir: string,
    manifest: ModelManifest,
    provider: string,
    minPsnrDb: number,
  ): Promise<Omit<Int8Mode, 'session'> | string> {
    if (provider !== 'cpu') return `int8 runs on the CPU only, not on ${provider}`;
    if (!manifest.int8) return 'int8: this model has no int8 generator';
    let plan: Int8Plan;
    try {
      plan = await readInt8Plan(dir, manifest.int8);
    } catch (err) {
      return `int8: ${(err as Error).message}`;
    }
    return { plan, report: await readCalibration(dir, plan), active: false, note: null, minPsnrDb };
  }

  /**
   * Fast mode for this job: int8 against float32 on its last `check` poses; when the kept
   * calibration does not hold for them (or there is none), calibrate on the others, keeping the
   * old ranges too, and check again. The job runs int8 only when the check passes; the label says
   * how it went. A failure to calibrate (a read-only model folder, say) leaves float32 running.
   */
  async prepareInt8(
    source: SourceEncoding,
    poses: readonly Keypoints[],
    check: number,
    kpSource: Keypoints = source.kp,
    hooks: { signal?: AbortSignal; onProgress?(done: number, total: number): void } = {},
  ): Promise<void> {
    const mode = this.int8;
    if (!mode) return;
    mode.active = false;
    mode.note = null;
    const feeds = poses.map((pose) => this.generatorFeeds(source, [pose], kpSource));
    try {
      // float32 on the check poses, once: it judges the kept int8 and, if that fails, the new one.
      let reference: Float32Array[] | undefined;
      if (mode.session) {
        const checking = feeds.slice(-check);
        reference = await predictions(this.generatorSession, checking, hooks.signal);
        const agreement = framesAgreement(reference, await predictions(mode.session, checking, hooks.signal));
        if (agreement.psnrDb >= mode.minPsnrDb) {
          mode.active = true;
          mode.note = describeAgreement(agreement, mode.minPsnrDb);
          return;
        }
      }
      const calibrated = await calibrateInt8(this.dir, mode.plan, {
        feeds,
        check,
        previous: mode.report,
        reference,
        options: this.sessionOptions,
        ...hooks,
      });
      const old = mode.session;
      mode.session = calibrated.session;
      mode.report = calibrated.report;
      await old?.release();
      mode.active = calibrated.agreement.psnrDb >= mode.minPsnrDb;
      mode.note = describeAgreement(calibrated.agreement, mode.minPsnrDb);
    } catch (err) {
      if (hooks.signal?.aborted || !(err instanceof Int8Error)) throw err;
      mode.note = `int8: ${err.message}`;
    }
  }

  /** Every graph once on a blank image (a GPU compiles its kernels here, or fails here). */
  private async trialRun(): Promise<void> {
    const blank = new Float32Array(3 * this.size.width * this.size.height);
    const source = await this.encodeSource(blank);
    try {
      await this.generate(source, [source.kp]);
    } finally {
      this.releaseSource(source);
    }
  }

  private imageTensor(images: Float32Array, count: number): ort.Tensor {
    const { width, height } = this.size;
    return new ort.Tensor('float32', images, [count, 3, height, width]);
  }

  /** Keypoints of `count` CHW images packed in `images`. */
  async keypoints(images: Float32Array, count: number): Promise<Keypoints[]> {
    const out = await this.kpSession.run({ image: this.imageTensor(images, count) }, ['value', 'jacobian']);
    return splitBatch(
      this.manifest.num_kp,
      out.value!.data as Float32Array,
      out.jacobian!.data as Float32Array,
    );
  }

  async encodeSource(image: Float32Array): Promise<SourceEncoding> {
    const [kp] = await this.keypoints(image, 1);
    const out = await this.encoderSession.run({ source: this.imageTensor(image, 1) });
    return { image, kp: kp!, features: out.source_features! };
  }

  /** The encoder's output as numbers; only where it came back to the CPU (tests, inspection). */
  static featureValues(source: SourceEncoding): Float32Array {
    if (source.features.location !== 'cpu')
      throw new ModelError(
        'the source features stay on the GPU; load the model with keepFeaturesOnDevice: false',
      );
    return source.features.data as Float32Array;
  }

  /** The source's inputs for a batch of `count`: once (the graph repeats it) or `count` copies. */
  private sourceInputs(
    source: SourceEncoding,
    count: number,
  ): { source: ort.Tensor; source_features: ort.Tensor } {
    if (this.manifest.source_broadcast === true)
      return { source: this.imageTensor(source.image, 1), source_features: source.features };
    let copies = this.copies.get(source);
    if (copies?.count !== count) {
      const dims = source.features.dims;
      copies = {
        count,
        source: this.imageTensor(tile(source.image, count), count),
        source_features: new ort.Tensor('float32', tile(ModelSet.featureValues(source), count), [
          count,
          ...dims.slice(1),
        ]),
      };
      this.copies.set(source, copies);
    }
    return copies;
  }

  private readonly copies = new WeakMap<
    SourceEncoding,
    { count: number; source: ort.Tensor; source_features: ort.Tensor }
  >();

  private generatorFeeds(
    source: SourceEncoding,
    kpDriving: readonly Keypoints[],
    kpSource: Keypoints,
  ): Record<string, ort.Tensor> {
    const count = kpDriving.length;
    const k = this.manifest.num_kp;
    const src = joinBatch(Array<Keypoints>(count).fill(kpSource));
    const drv = joinBatch(kpDriving);
    return {
      ...this.sourceInputs(source, count),
      kp_source_value: new ort.Tensor('float32', src.value, [count, k, 2]),
      kp_source_jacobian: new ort.Tensor('float32', src.jacobian, [count, k, 2, 2]),
      kp_driving_value: new ort.Tensor('float32', drv.value, [count, k, 2]),
      kp_driving_jacobian: new ort.Tensor('float32', drv.jacobian, [count, k, 2, 2]),
    };
  }

  /** One generator call: the source moved to each of `kpDriving`'s poses from `kpSource`. */
  async generate(
    source: SourceEncoding,
    kpDriving: readonly Keypoints[],
    kpSource: Keypoints = source.kp,
  ): Promise<GeneratorOutput> {
    const out = await this.generator.run(this.generatorFeeds(source, kpDriving, kpSource), GENERATOR_FETCHES);
    return {
      prediction: out.prediction!.data as Float32Array,
      occlusionMap: out.occlusion_map!.data as Float32Array,
      occlusionDims: out.occlusion_map!.dims,
      deformation: out.deformation!.data as Float32Array,
    };
  }

  /** Frees what an encoding holds outside the JavaScript heap (its GPU buffer). */
  releaseSource(source: SourceEncoding): void {
    if (source.features.location === 'gpu-buffer') source.features.dispose();
  }

  async release(): Promise<void> {
    await Promise.all([
      this.kpSession.release(),
      this.encoderSession.release(),
      this.generatorSession.release(),
      this.int8?.session?.release(),
    ]);
  }
}
