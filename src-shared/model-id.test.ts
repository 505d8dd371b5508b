import { describe, expect, it } from 'vitest';
import { freeModelId, isModelId, modelIdFromFileName, modelIdProblem } from './model-id.js';

describe('model ids', () => {
  it('refuse anything that could leave the models folder or hide in it', () => {
    for (const bad of [
      '.',
      '..',
      '...',
      '../x',
      'a/b',
      'a\\b',
      '.hidden',
      '',
      'Vox',
      'x'.repeat(65),
      'a b',
      'a.b',
    ])
      expect(isModelId(bad), bad).toBe(false);
    for (const good of ['vox-cpk', 'face-128', 'a', 'mgif_256', '0'.repeat(64)])
      expect(isModelId(good)).toBe(true);
    expect(modelIdProblem('..')).toMatch(/lowercase letters/);
    expect(modelIdProblem('vox')).toBeNull();
  });
  it('derive a safe slug from any file name', () => {
    expect(modelIdFromFileName('vox-cpk.pth.tar')).toBe('vox-cpk');
    expect(modelIdFromFileName('Vox Adv CPK.pth.tar')).toBe('vox-adv-cpk');
    expect(modelIdFromFileName('..pth.tar')).toBe('imported');
    expect(modelIdFromFileName('...pth.tar')).toBe('imported');
    expect(modelIdFromFileName('.pth.tar')).toBe('imported');
    expect(modelIdFromFileName('_-.pth')).toBe('imported');
    expect(modelIdFromFileName(`${'x'.repeat(80)}.pth`)).toHaveLength(64);
    for (const name of ['..', '.', 'a..b.pth.tar', '\u00e9t\u00e9.pth', 'CON', '-x-.pt'])
      expect(isModelId(modelIdFromFileName(name)), name).toBe(true);
  });
  it('number an id that is taken', () => {
    expect(freeModelId('vox', new Set())).toBe('vox');
    expect(freeModelId('vox', new Set(['vox', 'vox-2']))).toBe('vox-3');
    expect(isModelId(freeModelId('x'.repeat(64), new Set(['x'.repeat(64)])))).toBe(true);
  });
});
