import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test-support/fixtures.js';
import { adapterLabel, findGpu, pciModelName, providerLabel, providerPlan } from './providers.js';

const nvidia = { name: 'NVIDIA', software: false };
const lavapipe = { name: 'llvmpipe', software: true };
const tried = (steps: { provider: string; skip: string | null }[]) =>
  steps.filter((s) => s.skip === null).map((s) => s.provider);

describe('execution providers', () => {
  it('auto: CUDA with its add-on, then WebGPU on a real GPU, then the platform API, then the CPU', () => {
    expect(tried(providerPlan('auto', 'linux', { cudaInstalled: true, gpu: nvidia }))).toEqual([
      'cuda',
      'webgpu',
      'cpu',
    ]);
    expect(tried(providerPlan('auto', 'linux', { cudaInstalled: false, gpu: nvidia }))).toEqual([
      'webgpu',
      'cpu',
    ]);
    expect(
      tried(providerPlan('auto', 'win32', { cudaInstalled: false, gpu: { name: 'D3D12', software: false } })),
    ).toEqual(['webgpu', 'dml', 'cpu']);
    expect(
      tried(
        providerPlan('auto', 'darwin', { cudaInstalled: false, gpu: { name: 'Metal', software: false } }),
      ),
    ).toEqual(['webgpu', 'coreml', 'cpu']);
  });

  it('auto skips software Vulkan and a missing GPU, and says why', () => {
    const none = providerPlan('auto', 'linux', { cudaInstalled: false, gpu: null });
    expect(tried(none)).toEqual(['cpu']);
    expect(none.find((s) => s.provider === 'webgpu')?.skip).toBe('no GPU adapter found');
    const soft = providerPlan('auto', 'linux', { cudaInstalled: false, gpu: lavapipe });
    expect(soft.find((s) => s.provider === 'webgpu')?.skip).toMatch(/software adapter \(llvmpipe/);
  });

  it('a provider named is tried, software or not, with the CPU behind it', () => {
    expect(tried(providerPlan('webgpu', 'linux', { cudaInstalled: false, gpu: lavapipe }))).toEqual([
      'webgpu',
      'cpu',
    ]);
    expect(tried(providerPlan('cpu', 'linux', { cudaInstalled: true, gpu: nvidia }))).toEqual(['cpu']);
  });

  it('labels say the adapter and every fallback', () => {
    expect(providerLabel('webgpu', nvidia, [])).toBe('webgpu: NVIDIA');
    expect(providerLabel('webgpu', lavapipe, [])).toBe('webgpu: llvmpipe (software)');
    expect(providerLabel('cpu', null, ['webgpu: no GPU adapter found'])).toBe(
      'cpu (webgpu: no GPU adapter found)',
    );
  });
});

// The PCI ID database's layout (pciutils' pci.ids): a vendor line, its devices indented by a tab.
const PCI_IDS = [
  '# comment',
  '1002  Advanced Micro Devices, Inc. [AMD/ATI]',
  '\t73bf  Navi 21 [Radeon RX 6800/6800 XT / 6900 XT]',
  '10de  NVIDIA Corporation',
  '\t2335  GH100 [H200 SXM 141GB]',
  '\t\t10de 18be  H200 SXM',
  '\t2684  AD102 [GeForce RTX 4090]',
  '10df  Emulex Corporation',
  '\t2335  not this one',
].join('\n');

describe('the adapter a machine has', () => {
  it('names a PCI device from the PCI ID database, or says it does not know it', () => {
    expect(pciModelName(PCI_IDS, '0x10de', '0x2684')).toBe('AD102 [GeForce RTX 4090]');
    expect(pciModelName(PCI_IDS, '0x10de', '0x2335')).toBe('GH100 [H200 SXM 141GB]');
    expect(pciModelName(PCI_IDS, '0x1002', '0x2335')).toBeNull(); // another vendor's devices
    expect(pciModelName(PCI_IDS, '0x8086', '0x0001')).toBeNull();
  });

  it('finds a GPU whose maker has a Vulkan driver, named with its model, and shows it', () => {
    const root = tempDir();
    const device = (id: string, cls: string, vendor: string, dev: string) => {
      mkdirSync(path.join(root, 'pci', id), { recursive: true });
      for (const [f, v] of Object.entries({ class: cls, vendor, device: dev }))
        writeFileSync(path.join(root, 'pci', id, f), `${v}\n`);
    };
    device('0000:00:01.0', '0x060000', '0x8086', '0x1234'); // a bridge, not a display
    device('0000:01:00.0', '0x030200', '0x10de', '0x2335');
    writeFileSync(path.join(root, 'pci.ids'), PCI_IDS);
    const icd = path.join(root, 'nvidia_icd.json');
    writeFileSync(icd, '{}');
    const sources = {
      pciRoot: path.join(root, 'pci'),
      pciIds: [path.join(root, 'none'), path.join(root, 'pci.ids')],
    };
    const saved = process.env.VK_ICD_FILENAMES;
    try {
      process.env.VK_ICD_FILENAMES = icd;
      const gpu = findGpu('linux', sources);
      expect(gpu).toEqual({ name: 'NVIDIA GH100 [H200 SXM 141GB]', software: false });
      expect(adapterLabel(gpu!)).toBe('NVIDIA GH100 [H200 SXM 141GB]');
      expect(providerLabel('webgpu', gpu, [], 'float16')).toBe(
        'webgpu: NVIDIA GH100 [H200 SXM 141GB], float16',
      );
      // Without the database: the maker alone. Without a driver for it: no GPU.
      expect(findGpu('linux', { ...sources, pciIds: [] })).toEqual({ name: 'NVIDIA', software: false });
      process.env.VK_ICD_FILENAMES = path.join(root, 'missing.json');
      expect(findGpu('linux', sources)).toBeNull();
    } finally {
      if (saved === undefined) delete process.env.VK_ICD_FILENAMES;
      else process.env.VK_ICD_FILENAMES = saved;
    }
    expect(adapterLabel(lavapipe)).toBe('llvmpipe (software)');
  });
});
