// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultSettings, useSettings } from '../stores/settings';
import { modelSummary } from '../test-fixtures';
import { SettingsPanel } from './SettingsPanel';

const options = (label: string) =>
  Array.from((screen.getByLabelText(label) as HTMLSelectElement).options).map((o) => o.value);

describe('SettingsPanel', () => {
  beforeEach(() => useSettings.setState({ settings: defaultSettings(), outputPath: '', error: null }));
  afterEach(cleanup);

  it('offers only the execution providers this machine has', () => {
    render(<SettingsPanel providers={['cpu']} model={null} />);
    expect(options('Execution provider')).toEqual(['auto', 'cpu']);
    cleanup();
    render(<SettingsPanel providers={['cpu', 'cuda', 'dml']} model={null} />);
    expect(options('Execution provider')).toEqual(['auto', 'cpu', 'cuda', 'dml']);
  });

  it('says which GPU the machine has and what Automatic does with it', () => {
    const hint = () => screen.getByTestId('gpu-adapter').textContent;
    render(<SettingsPanel providers={['cpu']} gpu={null} model={null} />);
    expect(hint()).toBe('No GPU found: renders run on the CPU.');
    cleanup();
    render(
      <SettingsPanel providers={['cpu', 'webgpu']} gpu="NVIDIA AD102 [GeForce RTX 4090]" model={null} />,
    );
    expect(hint()).toBe('GPU: NVIDIA AD102 [GeForce RTX 4090]. Automatic renders on it.');
    expect(screen.getByLabelText(/Half precision on the GPU/)).toBeTruthy();
    cleanup();
    render(<SettingsPanel providers={['cpu', 'webgpu']} gpu="llvmpipe (software)" model={null} />);
    expect(hint()).toBe('Only a software GPU (llvmpipe): slower than the CPU, so Automatic uses the CPU.');
  });

  it('offers fast mode for a model with an int8 generator where renders run on the CPU', () => {
    const fast = () => screen.queryByLabelText('Fast mode: int8 on the CPU');
    render(<SettingsPanel providers={['cpu']} model={modelSummary({ int8: true })} />);
    fireEvent.click(fast()!);
    expect(useSettings.getState().settings.int8).toBe(true);
    cleanup();
    render(<SettingsPanel providers={['cpu']} model={modelSummary({ int8: false })} />);
    expect(fast()).toBeNull();
    cleanup();
    // Automatic with only a software GPU renders on the CPU: fast mode is there.
    render(
      <SettingsPanel
        providers={['cpu', 'webgpu']}
        gpu="llvmpipe (software)"
        model={modelSummary({ int8: true })}
      />,
    );
    expect(fast()).toBeTruthy();
    cleanup();
    // Automatic with a GPU renders on the GPU; choosing the CPU brings fast mode back.
    render(<SettingsPanel providers={['cpu', 'webgpu']} gpu="NVIDIA" model={modelSummary({ int8: true })} />);
    expect(fast()).toBeNull();
    fireEvent.change(screen.getByLabelText('Execution provider'), { target: { value: 'cpu' } });
    expect(fast()).toBeTruthy();
  });

  it('changes the render settings the queue will use', () => {
    render(<SettingsPanel providers={['cpu']} model={null} />);
    fireEvent.change(screen.getByLabelText('Motion'), { target: { value: 'absolute' } });
    fireEvent.click(screen.getByLabelText('Smooth keypoints'));
    fireEvent.click(screen.getByLabelText('Start from the best-matching frame'));
    fireEvent.change(screen.getByLabelText('Quality (CRF 18)'), { target: { value: '24' } });
    expect(useSettings.getState().settings).toMatchObject({
      mode: 'absolute',
      bestFrame: true,
      crf: 24,
      smoothing: { minCutoff: 1, beta: 0.5, derivativeCutoff: 1 },
    });
    expect(screen.getByLabelText('Quality (CRF 24)')).toBeTruthy();
  });

  it('refuses a change the engine would refuse, keeps the settings and says why', () => {
    render(<SettingsPanel providers={['cpu']} model={null} />);
    const before = useSettings.getState().settings;
    act(() => void expect(useSettings.getState().update({ crf: 99 })).toBe(false));
    expect(useSettings.getState().settings).toEqual(before);
    expect(screen.getByRole('alert').textContent).toMatch(/^Not changed: crf: /);
    act(() => void expect(useSettings.getState().update({ crf: 20 })).toBe(true));
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('with paste-back, asks for the longest side and not for the square size', () => {
    render(<SettingsPanel providers={['cpu']} model={null} />);
    expect(useSettings.getState().settings.pasteBack).toBe(true);
    expect((screen.getByLabelText('Output size') as HTMLSelectElement).disabled).toBe(true);
    fireEvent.change(screen.getByLabelText('Longest side'), { target: { value: '720' } });
    expect(useSettings.getState().settings.maxOutputSide).toBe(720);
    fireEvent.click(screen.getByLabelText('Paste back into the full photo'));
    expect(screen.queryByLabelText('Longest side')).toBeNull();
    fireEvent.change(screen.getByLabelText('Output size'), { target: { value: '512' } });
    expect(useSettings.getState().settings).toMatchObject({ pasteBack: false, outputSize: 512 });
  });
});
