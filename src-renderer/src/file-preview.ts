/**
 * Small first frames of files (folder browser, queue rows), asked for at most two at a time and
 * remembered for the session, so a folder of clips fills in without flooding the backend.
 */
import { useEffect, useState } from 'react';
import type { FilePreview, MarionetteBridge } from '../../src-shared/api';

const known = new Map<string, Promise<FilePreview | null>>();
const waiting: Array<() => void> = [];
let running = 0;
const LIMIT = 2;

function schedule<T>(work: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const run = () => {
      running++;
      work()
        .then(resolve, reject)
        .finally(() => {
          running--;
          waiting.shift()?.();
        });
    };
    if (running < LIMIT) run();
    else waiting.push(run);
  });
}

export function filePreview(api: MarionetteBridge, file: string): Promise<FilePreview | null> {
  let hit = known.get(file);
  if (!hit) {
    hit = schedule(() => api.invoke('filePreview', file)).catch(() => null);
    known.set(file, hit);
  }
  return hit;
}

/** The preview of `file` once it is there (null while loading, for no file, or when it fails). */
export function useFilePreview(api: MarionetteBridge, file: string | null): FilePreview | null {
  const [preview, setPreview] = useState<FilePreview | null>(null);
  useEffect(() => {
    setPreview(null);
    if (!file) return;
    let live = true;
    void filePreview(api, file).then((p) => live && setPreview(p));
    return () => {
      live = false;
    };
  }, [api, file]);
  return preview;
}

/** "0:07" / "1:02:03" for a clip's duration. */
export function shortDuration(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
