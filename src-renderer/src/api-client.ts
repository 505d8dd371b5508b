/**
 * The renderer's only way to the backend: the preload's window.marionette inside Electron, or the
 * same API over HTTP from the dev host when running in a normal browser.
 */
import {
  ApiEventSchema,
  type ApiCallArgs,
  type ApiEvent,
  type ApiMethod,
  type ApiOutcome,
  type ApiResult,
  type FileKind,
  type MarionetteBridge,
} from '../../src-shared/api';

declare global {
  interface Window {
    marionette?: MarionetteBridge;
  }
}

export function httpBridge(base = ''): MarionetteBridge {
  return {
    async invoke<M extends ApiMethod>(method: M, ...args: ApiCallArgs<M>): Promise<ApiResult<M>> {
      const res = await fetch(`${base}/api/invoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ method, args }),
      });
      const outcome = (await res.json()) as ApiOutcome;
      if (!outcome.ok) throw new Error(outcome.error);
      return outcome.value as ApiResult<M>;
    },
    onEvent(listener: (event: ApiEvent) => void) {
      const source = new EventSource(`${base}/api/events`);
      source.onmessage = (message: MessageEvent<string>) => {
        const parsed = ApiEventSchema.safeParse(JSON.parse(message.data));
        if (parsed.success) listener(parsed.data);
      };
      return () => source.close();
    },
    async upload(file: unknown, kind: FileKind): Promise<string> {
      if (!(file instanceof Blob)) throw new Error('not a file');
      const name = file instanceof File ? file.name : 'file';
      const query = new URLSearchParams({ kind, name });
      const res = await fetch(`${base}/api/upload?${query}`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body: file,
      });
      const outcome = (await res.json()) as ApiOutcome;
      if (!outcome.ok) throw new Error(outcome.error);
      return String(outcome.value);
    },
  };
}

export const api: MarionetteBridge = window.marionette ?? httpBridge();

/** Where the studio plays a finished render: the desktop app's protocol, or the dev host's route. */
export function renderMediaUrl(jobId: string): string {
  const file = `${encodeURIComponent(jobId)}.mp4`;
  return window.marionette ? `marionette-render://renders/${file}` : `/renders/${file}`;
}

/** Where the studio plays an opened clip (with its sound): by id, never by path. */
export function inputMediaUrl(mediaId: string): string {
  const id = encodeURIComponent(mediaId);
  return window.marionette ? `marionette-render://inputs/${id}` : `/inputs/${id}`;
}
