/**
 * Loads an exported model set (manifest + three ONNX graphs) into ONNX Runtime sessions on the
 * best execution provider available, and runs its graphs with typed inputs and outputs.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { describeIssues, type ExecutionProviderChoice } from '../../src-shared/job.js';
import { ModelManifestSchema, type ModelManifest } from '../../src-shared/model-manifest.js';
import type { Keypoints } from '../../src-shared/motion/keypoints.js';
import { joinBatch, splitBatch } from '../../src-shared/motion/keypoints.js';

const requireFromHere = createRequire(import.meta.url);

export class ModelError extends Error {
  override name = 'ModelError';
}

/**
 * Providers to try, best first, for a choice on a platform; CPU always closes the list. With
 * 'auto', providers whose libraries are not installed are skipped without trying them.
 */
export function providerOrder(
  choice: ExecutionProviderChoice,
  platform: NodeJS.Platform,
  installed: (provider: string) => boolean = () => true,
): string[] {
  if (choice !== 'auto') return choice === 'cpu' ? ['cpu'] : [choice, 'cpu'];
  const preferred = platform === 'win32' ? ['cuda', 'dml'] : platform === 'darwin' ? ['coreml'] : ['cuda'];
  return [...preferred.filter(installed), 'cpu'];
}

/** CUDA's provider libraries are a separate download; the others ship inside onnxruntime-node. */
export function providerInstalled(provider: string): boolean {
  if (provider !== 'cuda') return true;
  try {
    const binDir = path.join(
      path.dirname(requireFromHere.resolve('onnxruntime-node')),
      '..',
      'bin',
      'napi-v6',
      process.platform,
      process.arch,
    );
    const lib =
      process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
    return existsSync(path.join(binDir, lib));
  } catch {
    return false;
  }
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

export interface SourceEncoding {
  image: Float32Array;
  kp: Keypoints;
  features: Float32Array;
  featureDims: readonly number[];
}

export interface GeneratorOutput {
  prediction: Float32Array;
  occlusionMap: Float32Array;
  occlusionDims: readonly number[];
  mask: Float32Array;
  deformation: Float32Array;
}

export class ModelSet {
  private constructor(
    readonly dir: string,
    readonly manifest: ModelManifest,
    readonly executionProvider: string,
    private readonly kpSession: ort.InferenceSession,
    private readonly encoderSession: ort.InferenceSession,
    private readonly generatorSession: ort.InferenceSession,
  ) {}

  get size(): { width: number; height: number } {
    return { height: this.manifest.resolution[0], width: this.manifest.resolution[1] };
  }

  static async load(
    dir: string,
    choice: ExecutionProviderChoice = 'auto',
    threads = os.availableParallelism(),
  ): Promise<ModelSet> {
    const manifest = await readManifest(dir);
    const failures: string[] = [];
    for (const provider of providerOrder(choice, process.platform, providerInstalled)) {
      const options: ort.InferenceSession.SessionOptions = {
        executionProviders: [provider],
        graphOptimizationLevel: 'all',
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
      };
      try {
        const open = (file: string) => ort.InferenceSession.create(path.join(dir, file), options);
        const [kp, enc, gen] = await Promise.all([
          open(manifest.files.kp_detector.file),
          open(manifest.files.source_encoder.file),
          open(manifest.files.generator.file),
        ]);
        return new ModelSet(dir, manifest, provider, kp, enc, gen);
      } catch (err) {
        failures.push(`${provider}: ${(err as Error).message.split('\n')[0]}`);
        if (provider === 'cpu') break;
      }
    }
    throw new ModelError(`cannot load model ${manifest.name} from ${dir} (${failures.join('; ')})`);
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
    const features = out.source_features!;
    return { image, kp: kp!, features: features.data as Float32Array, featureDims: features.dims };
  }

  /** One generator call for `count` frames; `sourceImages`/`sourceFeatures` hold `count` copies. */
  async generate(
    sourceImages: Float32Array,
    sourceFeatures: Float32Array,
    featureDims: readonly number[],
    kpSource: readonly Keypoints[],
    kpDriving: readonly Keypoints[],
  ): Promise<GeneratorOutput> {
    const count = kpDriving.length;
    const k = this.manifest.num_kp;
    const src = joinBatch(kpSource);
    const drv = joinBatch(kpDriving);
    const out = await this.generatorSession.run({
      source: this.imageTensor(sourceImages, count),
      source_features: new ort.Tensor('float32', sourceFeatures, [count, ...featureDims.slice(1)]),
      kp_source_value: new ort.Tensor('float32', src.value, [count, k, 2]),
      kp_source_jacobian: new ort.Tensor('float32', src.jacobian, [count, k, 2, 2]),
      kp_driving_value: new ort.Tensor('float32', drv.value, [count, k, 2]),
      kp_driving_jacobian: new ort.Tensor('float32', drv.jacobian, [count, k, 2, 2]),
    });
    return {
      prediction: out.prediction!.data as Float32Array,
      occlusionMap: out.occlusion_map!.data as Float32Array,
      occlusionDims: out.occlusion_map!.dims,
      mask: out.mask!.data as Float32Array,
      deformation: out.deformation!.data as Float32Array,
    };
  }

  async release(): Promise<void> {
    await Promise.all([
      this.kpSession.release(),
      this.encoderSession.release(),
      this.generatorSession.release(),
    ]);
  }
}
