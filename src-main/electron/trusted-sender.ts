/**
 * IPC is answered only for the studio's own page: a frame that navigated elsewhere or was
 * injected from another origin gets nothing (Electron's security checklist: validate senders).
 */
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export function isStudioPage(senderUrl: string | undefined, rendererIndex: string): boolean {
  if (!senderUrl?.startsWith('file://')) return false;
  try {
    const url = new URL(senderUrl);
    url.hash = '';
    url.search = '';
    return fileURLToPath(url) === path.resolve(rendererIndex);
  } catch {
    return false;
  }
}
