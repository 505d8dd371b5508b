// @vitest-environment jsdom
import { beforeEach, describe, expect, it } from 'vitest';
import { useModels } from './stores/models';
import { defaultSettings, useSettings } from './stores/settings';
import { chooseModel } from './studio-actions';
import { modelSummary } from './test-fixtures';

describe('choosing a model', () => {
  beforeEach(() => {
    useSettings.setState({
      settings: { ...defaultSettings(), expressionGain: 1.4 },
      outputPath: '',
      error: null,
    });
    useModels.setState({
      models: [
        modelSummary({ id: 'face', category: 'face', openings: true }),
        modelSummary({ id: 'vox', category: 'face', openings: false }),
        modelSummary({ id: 'body', category: 'body' }),
      ],
    });
  });

  it('keeps the expression setting where the model takes it and puts it back to 1 where not', () => {
    chooseModel('face');
    expect(useSettings.getState().settings).toMatchObject({ expressionGain: 1.4, pasteBack: true });
    chooseModel('vox');
    expect(useSettings.getState().settings).toMatchObject({ expressionGain: 1, pasteBack: true });
    chooseModel('body');
    expect(useSettings.getState().settings).toMatchObject({ expressionGain: 1, pasteBack: false });
  });
});
