/**
 * The renderer's backend outside Electron: serves the built renderer and the same API over HTTP on
 * loopback (POST /api/invoke, events as Server-Sent Events on GET /api/events, finished renders
 * on GET /renders/<job id>.mp4). Used for
 * development in a normal browser and by the Playwright tests. Every request needs this launch's
 * secret (the printed link sets it as a cookie), so other local programs and web pages cannot
 * enqueue renders or read files through it.
 *
 *   node dist/dev-host.mjs [--port 5317]
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { FileKindSchema, type ApiEvent } from '../../src-shared/api.js';
import { startBackend } from '../app/backend.js';
import { dispatch, placesFromEnvironment } from '../app/handlers.js';
import { RGB_BASE64_MAX } from '../../src-shared/live.js';
import { inputMediaId, mediaReply, renderJobId } from '../app/render-media.js';
import { checkRequest, checkSession, SECURITY_HEADERS } from './request-guard.js';
import { nodeTransport } from '../engine/client.js';
import { packageRoot } from '../engine/model-catalog.js';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
};
/** A request's largest body: 1 MiB, or a live camera frame at the largest model size with room for its fields. */
const MAX_BODY = Math.max(1 << 20, RGB_BASE64_MAX + (64 << 10));

async function readBody(req: IncomingMessage): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new Error('request too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export interface DevHost {
  /** The launch link: the studio's address with this launch's token. */
  url: string;
  /** The address without the token (what the page shows once the cookie is set). */
  origin: string;
  token: string;
  broadcast(event: ApiEvent): void;
  close(): Promise<void>;
}

export async function startDevHost(
  requestedPort = 0,
  rendererDir = path.join(packageRoot(), 'dist', 'renderer'),
  token = process.env.MARIONETTE_DEV_TOKEN || randomBytes(24).toString('base64url'),
): Promise<DevHost> {
  const listeners = new Set<ServerResponse>();
  const broadcast = (event: ApiEvent) => {
    const line = `data: ${JSON.stringify(event)}\n\n`;
    for (const res of listeners) res.write(line);
  };
  const backend = await startBackend({
    appVersion: process.env.npm_package_version ?? 'dev',
    ...placesFromEnvironment(),
    spawnEngine: () => nodeTransport(path.join(packageRoot(), 'dist', 'engine-worker.mjs')),
    shell: null,
    onEvent: broadcast,
  });
  const handlers = backend.handlers;

  const serveStatic = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const rel = path.normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, '') || 'index.html';
    const file = path.join(rendererDir, rel);
    if (!file.startsWith(rendererDir)) return void res.writeHead(403).end();
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) return void res.writeHead(404).end('not found');
    res.writeHead(200, { 'content-type': MIME[path.extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  };

  let port = requestedPort;
  const server = createServer((req, res) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    void (async () => {
      const api = req.url === '/api/invoke' || req.url === '/api/events';
      const upload = (req.url ?? '').startsWith('/api/upload?');
      const verdict = checkRequest(req.method ?? '', req.headers, port, api || upload, upload);
      if (!verdict.ok) return void res.writeHead(verdict.status).end(verdict.reason);
      // Readiness probe for scripts and tests: says nothing but that the host is up.
      if (req.method === 'GET' && req.url === '/healthz') return void res.writeHead(200).end('ok');
      const session = checkSession(req.url ?? '/', req.headers, token);
      if (session.kind === 'refused') return void res.writeHead(403).end(session.reason);
      if (session.kind === 'login')
        return void res.writeHead(302, { location: session.location, 'set-cookie': session.setCookie }).end();
      if (req.method === 'POST' && req.url === '/api/invoke') {
        let payload: { method?: unknown; args?: unknown };
        try {
          payload = JSON.parse(await readBody(req)) as typeof payload;
        } catch (err) {
          res.writeHead(400, { 'content-type': 'application/json' });
          return void res.end(JSON.stringify({ ok: false, error: `bad request: ${(err as Error).message}` }));
        }
        const outcome = await dispatch(handlers, payload.method, payload.args ?? []);
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify(outcome));
      }
      if (req.method === 'POST' && upload) {
        // A file dropped or picked in the browser: its bytes, kept in the home's staging folder.
        const query = new URL(req.url ?? '', 'http://localhost').searchParams;
        const kind = FileKindSchema.safeParse(query.get('kind'));
        res.setHeader('content-type', 'application/json');
        if (!kind.success)
          return void res.writeHead(400).end(JSON.stringify({ ok: false, error: 'bad kind' }));
        try {
          const saved = await backend.saveUpload(query.get('name') ?? '', kind.data, req);
          return void res.writeHead(200).end(JSON.stringify({ ok: true, value: saved }));
        } catch (err) {
          return void res.writeHead(200).end(JSON.stringify({ ok: false, error: (err as Error).message }));
        }
      }
      if (req.method === 'GET' && req.url === '/api/events') {
        res.writeHead(200, {
          'content-type': 'text/event-stream',
          'cache-control': 'no-cache',
          connection: 'keep-alive',
        });
        res.write(': connected\n\n');
        listeners.add(res);
        req.on('close', () => listeners.delete(res));
        return;
      }
      const jobId = req.method === 'GET' ? renderJobId(req.url ?? '') : null;
      const inputId = req.method === 'GET' ? inputMediaId(req.url ?? '') : null;
      if (jobId || inputId) {
        const file = jobId ? backend.renderedFile(jobId) : backend.inputFile(inputId!);
        const reply = await mediaReply(file, req.headers.range);
        res.writeHead(reply.status, reply.headers);
        return void (reply.body ? reply.body.pipe(res) : res.end());
      }
      if (req.method === 'GET') return serveStatic(req, res);
      res.writeHead(405).end();
    })().catch((err: Error) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(err.message);
    });
  });
  await new Promise<void>((resolve) => server.listen(requestedPort, '127.0.0.1', resolve));
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : requestedPort;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/?token=${token}`,
    origin,
    token,
    broadcast,
    close: async () => {
      for (const res of listeners) res.end();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await backend.close();
    },
  };
}

const isEntry = process.argv[1] && /dev-host\.(m?js|ts)$/.test(process.argv[1]);
if (isEntry) {
  const { values } = parseArgs({ options: { port: { type: 'string' } } });
  const host = await startDevHost(values.port ? Number(values.port) : 5317);
  console.log(`Marionette studio: open ${host.url}`);
  const stop = () => void host.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
