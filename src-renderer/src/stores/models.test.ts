import { beforeEach, describe, expect, it } from 'vitest';
import type { MarionetteBridge, ModelSummary } from '../../../src-shared/api';
import { modelSummary } from '../test-fixtures';
import { useModels } from './models';

const model = (id: string): ModelSummary =>
  modelSummary({ id, name: id, weights: 'trained', category: 'faces' });

function fakeApi(result: ModelSummary[] | Error): MarionetteBridge {
  return {
    invoke: (async () => {
      if (result instanceof Error) throw result;
      return result;
    }) as MarionetteBridge['invoke'],
    onEvent: () => () => undefined,
  };
}

describe('models store', () => {
  beforeEach(() => useModels.setState({ models: [], selectedId: null, loading: false, error: null }));

  it('loads the catalogue and selects the first model', async () => {
    await useModels.getState().load(fakeApi([model('a'), model('b')]));
    expect(useModels.getState().models.map((m) => m.id)).toEqual(['a', 'b']);
    expect(useModels.getState().selectedId).toBe('a');
  });

  it('keeps a still-present selection across reloads and ignores unknown ids', async () => {
    await useModels.getState().load(fakeApi([model('a'), model('b')]));
    useModels.getState().select('b');
    useModels.getState().select('zzz');
    await useModels.getState().load(fakeApi([model('b'), model('c')]));
    expect(useModels.getState().selectedId).toBe('b');
  });

  it('shows a readable error instead of throwing', async () => {
    await useModels.getState().load(fakeApi(new Error('model folder is unreadable')));
    expect(useModels.getState()).toMatchObject({ error: 'model folder is unreadable', loading: false });
  });
});
