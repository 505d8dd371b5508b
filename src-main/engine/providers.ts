/**
 * Which ONNX Runtime execution provider a model runs on, best first, and what to call it.
 *
 * onnxruntime-node's own binaries hold CPU, WebGPU (Dawn: Vulkan on Linux, D3D12 on Windows,
 * Metal on macOS), DirectML (Windows) and CoreML (macOS); CUDA needs an add-on that is a separate
 * download. `auto` picks CUDA when its add-on is there, then WebGPU when the machine has a GPU
 * (software Vulkan, such as Mesa's lavapipe, is slower than the CPU path and is only used when
 * asked for by name), then DirectML / CoreML, and always ends with the CPU.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ExecutionProviderChoice } from '../../src-shared/job.js';

const requireFromHere = createRequire(import.meta.url);

/** A GPU the machine shows (Linux: PCI display devices; elsewhere: assumed present). */
export interface GpuAdapter {
  /**
   * Human name: the maker and, where the PCI ID database is installed, the model ("NVIDIA GH100
   * [H200 SXM 141GB]"); "llvmpipe" (Mesa's software Vulkan); or the platform's API ("D3D12", "Metal").
   */
  name: string;
  software: boolean;
}

/** The adapter as the studio's settings show it: "NVIDIA …", "llvmpipe (software)". */
export function adapterLabel(gpu: GpuAdapter): string {
  return `${gpu.name}${gpu.software ? ' (software)' : ''}`;
}

export interface ProviderProbe {
  cudaInstalled: boolean;
  /** The GPU WebGPU would run on, or null when there is none. */
  gpu: GpuAdapter | null;
}

export interface ProviderStep {
  provider: string;
  /** Why this step is skipped without trying it (auto only); null: try it. */
  skip: string | null;
}

/** The providers to go through for a choice, each tried or skipped with its reason; CPU last. */
export function providerPlan(
  choice: ExecutionProviderChoice,
  platform: NodeJS.Platform,
  probe: ProviderProbe,
): ProviderStep[] {
  if (choice === 'cpu') return [{ provider: 'cpu', skip: null }];
  if (choice !== 'auto')
    return [
      { provider: choice, skip: null },
      { provider: 'cpu', skip: null },
    ];
  const steps: ProviderStep[] = [
    { provider: 'cuda', skip: probe.cudaInstalled ? null : 'its add-on is not installed' },
    {
      provider: 'webgpu',
      skip: !probe.gpu
        ? 'no GPU adapter found'
        : probe.gpu.software
          ? `only a software adapter (${probe.gpu.name}), slower than the CPU`
          : null,
    },
  ];
  if (platform === 'win32') steps.push({ provider: 'dml', skip: null });
  if (platform === 'darwin') steps.push({ provider: 'coreml', skip: null });
  steps.push({ provider: 'cpu', skip: null });
  // CUDA's step is only worth mentioning where it could exist at all.
  return steps.filter((s) => !(s.provider === 'cuda' && s.skip && platform === 'darwin'));
}

/**
 * The label results, progress and the queue show: "webgpu: NVIDIA", "webgpu: NVIDIA, float16",
 * "cpu (webgpu: no GPU adapter found)".
 */
export function providerLabel(
  provider: string,
  gpu: GpuAdapter | null,
  fallbacks: readonly string[],
  precision: 'float32' | 'float16' | 'int8' = 'float32',
): string {
  const device = provider === 'webgpu' && gpu ? `webgpu: ${adapterLabel(gpu)}` : provider;
  const name = precision === 'float32' ? device : `${device}, ${precision}`;
  return fallbacks.length ? `${name} (${fallbacks.join('; ')})` : name;
}

/** CUDA's provider libraries are a separate download; the others ship inside onnxruntime-node. */
export function cudaInstalled(): boolean {
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

const PCI_VENDORS: Record<string, string> = { '0x10de': 'NVIDIA', '0x1002': 'AMD', '0x8086': 'Intel' };

/** Where the machine describes its hardware (overridable for tests). */
export interface HardwareSources {
  /** sysfs's PCI devices. */
  pciRoot: string;
  /** The PCI ID databases to look model names up in, first found wins (pciutils / hwdata). */
  pciIds: readonly string[];
}

const LINUX_HARDWARE: HardwareSources = {
  pciRoot: '/sys/bus/pci/devices',
  pciIds: ['/usr/share/misc/pci.ids', '/usr/share/hwdata/pci.ids'],
};

interface PciDisplay {
  maker: string;
  /** "GH100 [H200 SXM 141GB]" when the PCI ID database knows it. */
  model: string | null;
}

/** The PCI display devices (Linux), read from sysfs, named from the PCI ID database where there is one. */
function pciDisplays(sources: HardwareSources): PciDisplay[] {
  let found: { vendor: string; device: string }[];
  try {
    found = readdirSync(sources.pciRoot).flatMap((dev) => {
      try {
        const read = (f: string) => readFileSync(path.join(sources.pciRoot, dev, f), 'utf8').trim();
        if (!read('class').startsWith('0x03')) return []; // display controllers
        return [{ vendor: read('vendor'), device: read('device') }];
      } catch {
        return [];
      }
    });
  } catch {
    return [];
  }
  const ids = sources.pciIds.find((f) => existsSync(f));
  const text = ids ? readFileSync(ids, 'latin1') : '';
  return found.map(({ vendor, device }) => ({
    maker: PCI_VENDORS[vendor] ?? `GPU ${vendor}`,
    model: text ? pciModelName(text, vendor, device) : null,
  }));
}

/** A device's name in the PCI ID database's text ("10de" then a tab-indented "2335  GH100 [...]"). */
export function pciModelName(database: string, vendor: string, device: string): string | null {
  const v = vendor.replace(/^0x/, '').toLowerCase();
  const d = device.replace(/^0x/, '').toLowerCase();
  const start = database.search(new RegExp(`^${v}  `, 'm'));
  if (start < 0) return null;
  for (const line of database.slice(start).split('\n').slice(1)) {
    if (!line.startsWith('\t')) return null; // the next vendor
    const match = /^\t([0-9a-f]{4}) {2}(.+)$/.exec(line);
    if (match && match[1] === d) return match[2]!.trim();
  }
  return null;
}

/** Vulkan drivers installed (Linux): the ICD manifests' names, honouring VK_ICD_FILENAMES. */
function vulkanDrivers(env: NodeJS.ProcessEnv = process.env): string[] {
  const listed = env.VK_ICD_FILENAMES ?? env.VK_DRIVER_FILES;
  if (listed)
    return listed
      .split(':')
      .filter((f) => existsSync(f))
      .map((f) => path.basename(f));
  const dirs = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d'];
  return dirs.flatMap((d) => {
    try {
      return readdirSync(d).filter((f) => f.endsWith('.json'));
    } catch {
      return [];
    }
  });
}

/**
 * The GPU WebGPU would use. Linux: a PCI display device whose maker has a Vulkan driver
 * installed (Mesa installs manifests for every driver, so the manifests alone prove nothing), else
 * Mesa's software lavapipe when it is installed; Windows and macOS: D3D12 / Metal, assumed.
 */
export function findGpu(
  platform: NodeJS.Platform = process.platform,
  sources: HardwareSources = LINUX_HARDWARE,
): GpuAdapter | null {
  if (platform === 'win32') return { name: 'D3D12', software: false };
  if (platform === 'darwin') return { name: 'Metal', software: false };
  const drivers = vulkanDrivers();
  const has = (pattern: RegExp) => drivers.some((d) => pattern.test(d));
  const driverFor: Record<string, RegExp> = { NVIDIA: /nvidia/i, AMD: /radeon|amd/i, Intel: /intel/i };
  for (const { maker, model } of pciDisplays(sources)) {
    const driver = driverFor[maker];
    if (driver && has(driver)) return { name: model ? `${maker} ${model}` : maker, software: false };
  }
  if (has(/lvp/i)) return { name: 'llvmpipe', software: true };
  return null;
}

/** Dawn's Vulkan loader wants a runtime folder; headless machines and CI often have none. */
export function prepareWebGpuEnvironment(env: NodeJS.ProcessEnv = process.env, tmp = '/tmp'): void {
  if (!env.XDG_RUNTIME_DIR) env.XDG_RUNTIME_DIR = tmp;
}
