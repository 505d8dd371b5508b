import type { ModelSummary } from '../../../src-shared/api';
import { EXPORT_FORMATS, ExportFormatSchema, type ExportFormat } from '../../../src-shared/export-format';
import { pasteBackWarning } from '../../../src-shared/studio-guide';
import { useSettings } from '../stores/settings';

export function SettingsPanel({
  providers,
  gpu = null,
  model,
}: {
  providers: string[];
  /** The GPU WebGPU would use, as the engine names it; null: none found. */
  gpu?: string | null;
  model: ModelSummary | null;
}) {
  const { settings, update, setFormat, error } = useSettings();
  const format = settings.exportFormat ?? 'h264';
  const warning = pasteBackWarning(model?.subject ?? null, settings.pasteBack);
  const checkbox = (
    key:
      | 'adaptScale'
      | 'bestFrame'
      | 'audio'
      | 'pasteBack'
      | 'autoFrame'
      | 'followSubject'
      | 'gpuFloat16'
      | 'int8',
    label: string,
  ) => (
    <label className="check">
      <input type="checkbox" checked={settings[key]} onChange={(e) => update({ [key]: e.target.checked })} />
      {label}
    </label>
  );
  return (
    <fieldset className="settings">
      <legend>Settings</legend>
      <label>
        Motion
        <select
          value={settings.mode}
          onChange={(e) => update({ mode: e.target.value as 'relative' | 'absolute' })}
        >
          <option value="relative">Relative (keeps the source's shape)</option>
          <option value="absolute">Absolute (copies the driving pose)</option>
        </select>
      </label>
      <label>
        Export as
        <select value={format} onChange={(e) => setFormat(e.target.value as ExportFormat)}>
          {ExportFormatSchema.options.map((f) => (
            <option key={f} value={f}>
              {EXPORT_FORMATS[f].label}
            </option>
          ))}
        </select>
      </label>
      {checkbox('adaptScale', 'Adapt movement scale')}
      <label className="check">
        <input
          type="checkbox"
          checked={settings.smoothing !== null}
          onChange={(e) =>
            update({ smoothing: e.target.checked ? { minCutoff: 1, beta: 0.5, derivativeCutoff: 1 } : null })
          }
        />
        Smooth keypoints
      </label>
      {checkbox('bestFrame', 'Start from the best-matching frame')}
      {checkbox('audio', 'Keep the clip’s audio')}
      {checkbox('autoFrame', 'Find the face when no crop is set')}
      {checkbox('followSubject', 'Driving crop follows the face')}
      {checkbox('pasteBack', 'Paste back into the full photo')}
      {warning && (
        <p className="meta warning" role="note">
          {warning}
        </p>
      )}
      {settings.pasteBack && (
        <label>
          Longest side
          <select
            value={settings.maxOutputSide}
            onChange={(e) => update({ maxOutputSide: Number(e.target.value) })}
          >
            <option value={720}>720 px</option>
            <option value={1080}>1080 px</option>
            <option value={1920}>1920 px</option>
            <option value={3840}>3840 px</option>
          </select>
        </label>
      )}
      <label>
        Output size
        <select
          disabled={settings.pasteBack}
          value={settings.outputSize ?? 0}
          onChange={(e) => update({ outputSize: Number(e.target.value) || null })}
        >
          <option value={0}>Model resolution</option>
          <option value={256}>256 px</option>
          <option value={512}>512 px</option>
          <option value={1024}>1024 px</option>
        </select>
      </label>
      <label>
        Quality (CRF {settings.crf})
        <input
          type="range"
          min={12}
          max={32}
          value={settings.crf}
          onChange={(e) => update({ crf: Number(e.target.value) })}
        />
      </label>
      <label>
        Execution provider
        <select
          value={settings.executionProvider}
          onChange={(e) => update({ executionProvider: e.target.value as typeof settings.executionProvider })}
        >
          <option value="auto">Automatic (best available)</option>
          <option value="cpu">CPU</option>
          {providers.includes('webgpu') && <option value="webgpu">GPU (WebGPU: Vulkan, D3D12, Metal)</option>}
          {providers.includes('cuda') && <option value="cuda">CUDA</option>}
          {providers.includes('dml') && <option value="dml">DirectML</option>}
          {providers.includes('coreml') && <option value="coreml">CoreML</option>}
        </select>
      </label>
      <p className="hint" data-testid="gpu-adapter">
        {gpuHint(gpu, providers)}
      </p>
      {settings.executionProvider !== 'cpu' &&
        providers.some((p) => p !== 'cpu') &&
        checkbox('gpuFloat16', 'Half precision on the GPU (faster; where the model has it)')}
      {model?.int8 &&
      (settings.executionProvider === 'cpu' ||
        (settings.executionProvider === 'auto' && autoUsesCpu(gpu, providers))) ? (
        <>
          {checkbox('int8', 'Fast mode: int8 on the CPU')}
          <p className="hint">
            The first fast render calibrates this model on its own frames (a few seconds, once). Every fast
            render checks int8 against full precision on two of its frames and uses it only at 32 dB PSNR or
            better; the queue says how it went.
          </p>
        </>
      ) : null}
      {error && (
        <p role="alert" className="field-error">
          {error}
        </p>
      )}
    </fieldset>
  );
}

const SOFTWARE_GPU = / \(software\)$/;

/** Whether Automatic renders on the CPU here (no CUDA, DirectML, CoreML or real GPU). */
export function autoUsesCpu(gpu: string | null, providers: string[]): boolean {
  if (providers.some((p) => p === 'cuda' || p === 'dml' || p === 'coreml')) return false;
  return !gpu || !providers.includes('webgpu') || SOFTWARE_GPU.test(gpu);
}

/** What the provider list means on this machine, in the user's words. */
function gpuHint(gpu: string | null, providers: string[]): string {
  if (providers.includes('cuda')) return `CUDA is installed${gpu ? `; GPU: ${gpu}` : ''}.`;
  if (!gpu || !providers.includes('webgpu')) return 'No GPU found: renders run on the CPU.';
  if (SOFTWARE_GPU.test(gpu))
    return `Only a software GPU (${gpu.replace(SOFTWARE_GPU, '')}): slower than the CPU, so Automatic uses the CPU.`;
  return `GPU: ${gpu}. Automatic renders on it.`;
}
