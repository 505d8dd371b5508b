import { describe, expect, it } from 'vitest';
import { providerLabel, providerPlan } from './providers.js';

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
