/**
 * Electron main process: one window with secure defaults, the typed API over one IPC channel,
 * render jobs in a utility process. Nothing here waits on inference.
 */
import { FILE_EXTENSIONS } from '../../src-shared/file-kinds.js';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  type MenuItemConstructorOptions,
  net,
  protocol,
  session,
  shell,
  utilityProcess,
} from 'electron';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  IPC_EVENT,
  IPC_INVOKE,
  IPC_RECORDING,
  RECORDING_MAX_BYTES,
  type ApiEvent,
  type ApiOutcome,
} from '../../src-shared/api.js';
import { commandSpec, electronAccelerator, FILE_MENU } from '../../src-shared/commands.js';
import type { EngineRequest } from '../../src-shared/protocol/engine.js';
import { startBackend, type Backend } from '../app/backend.js';
import { dispatch, placesFromEnvironment, type DesktopShell } from '../app/handlers.js';
import { projectFromArgv } from '../app/launch-args.js';
import { inputMediaId, mediaReply, renderJobId } from '../app/render-media.js';
import {
  isAllowedExternal,
  isStudioPage,
  permissionGranted,
  STUDIO_SCHEME,
  STUDIO_URL,
  studioAssetPath,
} from './trusted-sender.js';
import type { EngineTransport } from '../engine/client.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The bundled renderer, served as marionette://studio/ (not file://, which grants too much). */
const RENDERER_DIR = path.join(here, 'renderer');
/** Finished renders for the studio's player: marionette-render://renders/<job id>.mp4 */
const RENDER_SCHEME = 'marionette-render';
protocol.registerSchemesAsPrivileged([
  {
    scheme: STUDIO_SCHEME,
    privileges: { standard: true, secure: true, supportFetchAPI: true },
  },
  {
    scheme: RENDER_SCHEME,
    privileges: { standard: true, secure: true, stream: true, supportFetchAPI: true },
  },
]);
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  `media-src 'self' blob: ${RENDER_SCHEME}:`,
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The engine in Electron's utilityProcess, behind the same transport interface as the CLI's child. */
function utilityTransport(): EngineTransport {
  const child = utilityProcess.fork(path.join(here, 'engine-worker.mjs'), [], {
    serviceName: 'Marionette engine',
  });
  return {
    send: (request: EngineRequest) => child.postMessage(request),
    onMessage: (handler) => child.on('message', handler),
    onExit: (handler) => child.on('exit', (code) => handler(code)),
    kill: () => void child.kill(),
  };
}

/** A project file the desktop asked to open before the window could take it. */
let launchProject: string | null = projectFromArgv(process.argv, process.cwd());

function desktopShell(getWindow: () => BrowserWindow | null): DesktopShell {
  const filters = {
    image: [{ name: 'Images', extensions: [...FILE_EXTENSIONS.image] }],
    video: [{ name: 'Videos', extensions: [...FILE_EXTENSIONS.video] }],
    checkpoint: [{ name: 'FOMM checkpoints', extensions: [...FILE_EXTENSIONS.checkpoint] }],
    project: [{ name: 'Marionette projects', extensions: [...FILE_EXTENSIONS.project] }],
  };
  return {
    async openFileDialog(kind) {
      const win = getWindow();
      const options = { properties: ['openFile' as const], filters: filters[kind] };
      const result = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
      return result.canceled ? null : (result.filePaths[0] ?? null);
    },
    async saveFileDialog(defaultPath, kind) {
      const win = getWindow();
      const options = {
        defaultPath,
        filters: kind === 'video' ? [{ name: 'MP4 video', extensions: ['mp4'] }] : filters.project,
      };
      const result = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options);
      return result.canceled ? null : (result.filePath ?? null);
    },
    // The handler only passes outputs of the user's own finished jobs (handlers.ts).
    async showInFolder(file) {
      shell.showItemInFolder(file);
      return true;
    },
    takeLaunchProject() {
      const file = launchProject;
      launchProject = null;
      return file;
    },
  };
}

let mainWindow: BrowserWindow | null = null;
let backend: Backend | null = null;

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1360,
    height: 880,
    title: 'Marionette',
    webPreferences: {
      preload: path.join(here, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  });
  win.on('closed', () => (mainWindow = null));
  void win.loadURL(STUDIO_URL);
  return win;
}

const send = (event: ApiEvent) => mainWindow?.webContents.send(IPC_EVENT, event);

/** Open a project in the running studio, or keep it for the window that is about to ask. */
function openProjectFromDesktop(file: string): void {
  if (mainWindow && !mainWindow.webContents.isLoading()) {
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
    send({ type: 'openProject', path: file });
  } else launchProject = file;
}

// Every web contents, now and later (Electron's security checklist): no new windows (allow-listed
// links open in the browser), no navigation or redirects away from the studio, no webviews.
app.on('web-contents-created', (_event, contents) => {
  contents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternal(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event, url) => {
    if (!isStudioPage(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
});

// One studio at a time: a second launch (e.g. double-clicking a project) hands its file to the first.
const primary = app.requestSingleInstanceLock();
if (!primary) app.quit();
app.on('second-instance', (_event, argv, cwd) => {
  const file = projectFromArgv(argv, cwd);
  if (file) openProjectFromDesktop(file);
  else mainWindow?.focus();
});
// macOS delivers opened files as events, also before the app is ready.
app.on('open-file', (event, file) => {
  event.preventDefault();
  openProjectFromDesktop(file);
});

function applicationMenu(recent: readonly string[]): Menu {
  // Labels, accelerators and order come from the command registry; the page runs the command.
  const fileMenu = FILE_MENU.map((entry): MenuItemConstructorOptions => {
    if (entry === 'separator') return { type: 'separator' };
    if (entry === 'recent')
      return {
        label: 'Open Recent',
        enabled: recent.length > 0,
        submenu: recent.map((file) => ({
          label: path.basename(file),
          toolTip: file,
          click: () => openProjectFromDesktop(file),
        })),
      };
    const menu = commandSpec(entry).menu!;
    return {
      label: menu.label,
      accelerator: electronAccelerator(menu.accelerator),
      click: () => send({ type: 'menu', action: entry }),
    };
  });
  return Menu.buildFromTemplate([
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        ...fileMenu,
        { type: 'separator' },
        { role: process.platform === 'darwin' ? 'close' : 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
        ...(app.isPackaged ? [] : [{ role: 'toggleDevTools' as const }]),
      ],
    },
    { role: 'windowMenu' },
  ]);
}

void app.whenReady().then(async () => {
  if (!primary) return;
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } });
  });
  session.defaultSession.setPermissionRequestHandler((_wc, permission, callback, details) =>
    callback(
      permissionGranted(
        permission,
        details.requestingUrl,
        'mediaTypes' in details ? (details.mediaTypes ?? []) : [],
      ),
    ),
  );
  session.defaultSession.setPermissionCheckHandler((_wc, permission, _origin, details) =>
    permissionGranted(
      permission,
      details.requestingUrl,
      details.mediaType && details.mediaType !== 'unknown' ? [details.mediaType] : [],
    ),
  );
  protocol.handle(STUDIO_SCHEME, (request) => {
    const file = studioAssetPath(request.url, RENDERER_DIR);
    if (!file) return new Response('not found', { status: 404 });
    return net.fetch(pathToFileURL(file).href);
  });
  backend = await startBackend({
    appVersion: app.getVersion(),
    ...placesFromEnvironment(),
    spawnEngine: utilityTransport,
    shell: desktopShell(() => mainWindow),
    onEvent: send,
  });
  const { handlers, renderedFile, inputFile } = backend;
  // Electron's file loader ignores Range, so seeking needs the ranges served here.
  protocol.handle(RENDER_SCHEME, async (request) => {
    const url = new URL(request.url);
    const id = renderJobId(`${url.host}${url.pathname}`);
    const input = inputMediaId(`${url.host}${url.pathname}`);
    const file = id ? renderedFile(id) : input ? inputFile(input) : null;
    const reply = await mediaReply(file, request.headers.get('range'));
    const body = reply.body ? (Readable.toWeb(reply.body) as ReadableStream<Uint8Array>) : null;
    return new Response(body, { status: reply.status, headers: reply.headers });
  });
  const refreshMenu = async () => Menu.setApplicationMenu(applicationMenu(await handlers.recentProjects()));
  ipcMain.handle(IPC_INVOKE, async (event, method: unknown, args: unknown) => {
    if (!isStudioPage(event.senderFrame?.url))
      return { ok: false, error: 'only the studio page may use this API' };
    const outcome = await dispatch(handlers, method, args);
    // Saving or opening a project changes File > Open Recent.
    if (outcome.ok && (method === 'saveProject' || method === 'openProject')) await refreshMenu();
    return outcome;
  });
  // The camera's recordings: bytes from the studio page only, staged like a browser's upload.
  ipcMain.handle(IPC_RECORDING, async (event, bytes: unknown): Promise<ApiOutcome> => {
    if (!isStudioPage(event.senderFrame?.url)) return { ok: false, error: 'only the studio page may record' };
    if (!(bytes instanceof ArrayBuffer) || bytes.byteLength === 0 || bytes.byteLength > RECORDING_MAX_BYTES)
      return { ok: false, error: 'a recording is a WebM of at most 2 GiB' };
    try {
      const staged = await backend!.saveUpload('take.webm', 'video', Readable.from([Buffer.from(bytes)]));
      return { ok: true, value: staged };
    } catch (err) {
      return { ok: false, error: (err as Error).message };
    }
  });
  await refreshMenu();
  mainWindow = createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) mainWindow = createWindow();
  });
});

app.on('before-quit', () => {
  void backend?.close();
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
