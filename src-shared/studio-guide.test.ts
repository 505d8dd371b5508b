import { describe, expect, it } from 'vitest';
import type { ModelSummary, QueueItem } from './api.js';
import { queuedItem } from './api.js';
import { JobSpecSchema } from './job.js';
import { modelSubject, subjectFromFileName } from './model-manifest.js';
import {
  initialModelId,
  modelPurpose,
  modelSuggestion,
  pasteBackDefault,
  pasteBackWarning,
  queueProgress,
  renderBlocker,
} from './studio-guide.js';

const model = (id: string, category: string | null): ModelSummary => ({
  id,
  name: id,
  origin: 'bundled',
  resolution: [64, 64],
  numKp: 10,
  weights: null,
  category,
  subject: modelSubject({ category }),
  metrics: null,
  int8: false,
  details: [],
});

describe('studio guide', () => {
  it('starts with the face model, then keeps the one last used', () => {
    const models = [model('body-64', 'other'), model('face-128', 'face'), model('vox', 'vox-256')];
    expect(initialModelId(models, null)).toBe('face-128');
    expect(initialModelId(models, 'vox')).toBe('vox');
    expect(initialModelId(models, 'gone')).toBe('face-128');
    expect(initialModelId([model('a', 'other')], null)).toBe('a');
    expect(initialModelId([], null)).toBeNull();
  });
  it('says why Render waits, step by step', () => {
    const ready = { model: true, source: true, driving: true, output: 'x.mp4' };
    expect(renderBlocker(ready)).toBeNull();
    expect(renderBlocker({ ...ready, source: false, driving: false })).toMatch(/Step 1: pick a photo/);
    expect(renderBlocker({ ...ready, driving: false })).toMatch(/Step 2/);
    expect(renderBlocker({ ...ready, output: ' ' })).toBe('Name the output file');
  });
  it('measures the whole queue', () => {
    const job = JobSpecSchema.parse({
      modelDir: 'm',
      sourcePath: 's',
      drivingPath: 'd',
      outputPath: 'o.mp4',
    });
    const item = (id: string, over: Partial<QueueItem>): QueueItem => ({ ...queuedItem(id, job), ...over });
    const items = [
      item('a', { state: 'done' }),
      item('b', { state: 'running', stage: 'render', done: 50, total: 100, fps: 10 }),
      item('c', {}),
    ];
    const p = queueProgress(items);
    expect(p).toMatchObject({ pending: 2, done: 1, failed: 0, etaSeconds: 15 });
    expect(p.fraction).toBeCloseTo(0.5);
    expect(queueProgress([]).fraction).toBe(0);
  });
});

describe('model cards in plain words', () => {
  it('say what a model is for and what to expect', () => {
    expect(modelPurpose(model('face-128', 'face')).purpose).toMatch(/^For faces/);
    expect(modelPurpose({ ...model('vox', 'vox-256'), origin: 'imported' })).toMatchObject({
      purpose: expect.stringMatching(/^For faces/),
      quality: expect.stringMatching(/published weights/),
    });
    expect(modelPurpose(model('body-64', 'other')).purpose).toMatch(/bodies.*Experimental/);
    expect(modelPurpose(model('mgif', 'mgif-256')).purpose).toMatch(/cartoon/);
    expect(modelPurpose(model('face-128', 'face')).quality).toMatch(/import vox-cpk/);
  });
});

describe('a model suited to the photo', () => {
  const models = [model('body-64', 'other'), model('face-128', 'face')];
  it('offers the face model when a face is seen with a body model selected', () => {
    expect(modelSuggestion(models, 'body-64', true)).toMatchObject({ id: 'face-128' });
    expect(modelSuggestion(models, 'body-64', true)?.reason).toMatch(/A face was found in the photo/);
  });
  it('offers a body model when a face model is selected and no face is seen', () => {
    expect(modelSuggestion(models, 'face-128', false)).toMatchObject({ id: 'body-64' });
  });
  it('stays quiet when the model suits the photo, when not looked yet, or when nothing better exists', () => {
    expect(modelSuggestion(models, 'face-128', true)).toBeNull();
    expect(modelSuggestion(models, 'body-64', false)).toBeNull();
    expect(modelSuggestion(models, 'body-64', null)).toBeNull();
    expect(modelSuggestion([model('body-64', 'other')], 'body-64', true)).toBeNull();
    expect(modelSuggestion(models, null, true)).toBeNull();
  });
});

describe('what a model animates', () => {
  it('is the manifest subject, else what an older manifest category says', () => {
    expect(modelSubject({ subject: 'body', category: 'vox-256' })).toBe('body');
    expect(modelSubject({ category: 'face' })).toBe('face');
    expect(modelSubject({ category: 'vox-256' })).toBe('face');
    expect(modelSubject({ category: 'mgif-256' })).toBe('other');
    expect(modelSubject({ category: null })).toBe('body');
  });
  it('is guessed from a published checkpoint name', () => {
    expect(subjectFromFileName('vox-adv-cpk.pth.tar')).toBe('face');
    expect(subjectFromFileName('nemo-cpk.pth.tar')).toBe('face');
    expect(subjectFromFileName('taichi-cpk.pth.tar')).toBe('body');
    expect(subjectFromFileName('fashion.pth.tar')).toBe('body');
    expect(subjectFromFileName('bair-cpk.pth.tar')).toBe('other');
    expect(subjectFromFileName('checkpoint.pth.tar')).toBeNull();
  });
});

describe('paste-back by subject', () => {
  it('is on by default for faces only, and warns when turned on for a body model', () => {
    expect(pasteBackDefault('face')).toBe(true);
    expect(pasteBackDefault('body')).toBe(false);
    expect(pasteBackDefault('other')).toBe(false);
    expect(pasteBackWarning('body', true)).toMatch(/off by default for body models/);
    expect(pasteBackWarning('body', false)).toBeNull();
    expect(pasteBackWarning('face', true)).toBeNull();
    expect(pasteBackWarning(null, true)).toBeNull();
  });
});
