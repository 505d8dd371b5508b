/**
 * The desktop studio's page lives at one address of its own privileged scheme
 * (marionette://studio/index.html), served from the bundled renderer folder; IPC is answered only
 * for that page (Electron's security checklist: validate senders), and the protocol serves only
 * files inside that folder.
 */
import path from 'node:path';

export const STUDIO_SCHEME = 'marionette';
export const STUDIO_HOST = 'studio';
export const STUDIO_URL = `${STUDIO_SCHEME}://${STUDIO_HOST}/index.html`;

export function isStudioPage(senderUrl: string | undefined): boolean {
  if (!senderUrl) return false;
  try {
    const url = new URL(senderUrl);
    return url.protocol === `${STUDIO_SCHEME}:` && url.host === STUDIO_HOST && url.pathname === '/index.html';
  } catch {
    return false;
  }
}

/** The file a studio URL names inside `rendererDir`, or null for anything else (other hosts, `..`). */
export function studioAssetPath(requestUrl: string, rendererDir: string): string | null {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return null;
  }
  if (url.protocol !== `${STUDIO_SCHEME}:` || url.host !== STUDIO_HOST) return null;
  let rel: string;
  try {
    rel = decodeURIComponent(url.pathname);
  } catch {
    return null;
  }
  const root = path.resolve(rendererDir);
  const file = path.resolve(root, `.${path.posix.normalize(`/${rel}`)}`);
  return file.startsWith(`${root}${path.sep}`) ? file : null;
}

/** Links the studio may open in the user's browser: the project's and the paper's pages only. */
const EXTERNAL_HOSTS = new Set(['github.com', 'arxiv.org', 'aliaksandrsiarohin.github.io', 'papers.nips.cc']);

export function isAllowedExternal(link: string): boolean {
  try {
    const url = new URL(link);
    return url.protocol === 'https:' && EXTERNAL_HOSTS.has(url.hostname) && !url.username && !url.password;
  } catch {
    return false;
  }
}

/**
 * Permissions: the camera and the microphone (Electron's `media`, video and audio only) for the
 * studio page itself, which uses them for the live preview and recorded takes; every other
 * permission, and media for any other page or frame, is denied.
 */
export function permissionGranted(
  permission: string,
  requestingUrl: string | undefined,
  mediaTypes: readonly string[] = [],
): boolean {
  if (permission !== 'media' || !isStudioPage(requestingUrl)) return false;
  return mediaTypes.every((t) => t === 'video' || t === 'audio');
}
