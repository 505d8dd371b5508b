/**
 * The one place that starts ffmpeg/ffprobe processes. Each run is abortable, kept in a registry so
 * that everything still running can be killed on shutdown, and keeps only the tail of stderr.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { debuglog } from 'node:util';
import { whenAborted } from '../../src-shared/abort.js';
import { resolveBinary, type MediaTool } from './binaries.js';

const STDERR_TAIL = 8192;
/** `NODE_DEBUG=marionette` prints every ffmpeg/ffprobe command line to stderr (as LosslessCut logs them). */
const debug = debuglog('marionette');
const running = new Set<ChildProcessByStdio<Writable, Readable, Readable>>();

export interface MediaProcess {
  child: ChildProcessByStdio<Writable, Readable, Readable>;
  /** Resolves with the exit code (null if killed) and the tail of stderr once the process has exited. */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  commandLine: string;
}

export function startMediaTool(tool: MediaTool, args: readonly string[], signal?: AbortSignal): MediaProcess {
  const binary = resolveBinary(tool).path;
  const commandLine = [binary, ...args].map((a) => (/[\s'"]/.test(a) ? JSON.stringify(a) : a)).join(' ');
  debug('%s', commandLine);
  const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
  running.add(child);
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_TAIL);
  });
  // A consumer that stops reading or writing early must not crash the process with EPIPE.
  child.stdin.on('error', () => undefined);
  const stopListening = whenAborted(signal, () => child.kill('SIGKILL'));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>(
    (resolve) => {
      const finish = (code: number | null, sig: NodeJS.Signals | null) => {
        running.delete(child);
        stopListening();
        resolve({ code, signal: sig, stderr });
      };
      child.once('error', (err) => {
        stderr += `\n${err.message}`;
        finish(-1, null);
      });
      child.once('close', finish);
    },
  );
  return { child, done, commandLine };
}

/** Run to completion and collect stdout (for ffprobe and other small outputs). */
export async function runMediaTool(
  tool: MediaTool,
  args: readonly string[],
  { signal, timeoutMs = 30_000 }: { signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  const proc = startMediaTool(tool, args, combined);
  proc.child.stdin.end();
  let stdout = '';
  proc.child.stdout.setEncoding('utf8');
  proc.child.stdout.on('data', (chunk: string) => (stdout += chunk));
  const { code, stderr } = await proc.done;
  if (timeout.aborted) throw new Error(`${tool} timed out after ${timeoutMs} ms`);
  return { code, stdout, stderr };
}

export function killAllMediaProcesses(): void {
  for (const child of running) child.kill('SIGKILL');
}
