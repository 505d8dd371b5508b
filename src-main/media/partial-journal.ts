/**
 * A journal of the temporary files renders are writing, so that a process killed with SIGKILL
 * (which runs no clean-up) cannot leave `.…partial.mp4` files forever: each temporary is noted
 * under <data home>/partials/ with the pid of the process writing it, and removed from the note
 * when it is published or aborted. Every Marionette process sweeps the journal when it starts:
 * temporaries whose writer is gone are deleted, and only those, and only when the name on disk
 * is still one of ours.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { dataHome } from './app-dirs.js';

const EntrySchema = z.object({ pid: z.number().int().positive(), temp: z.string().min(1) });

/** Our temporaries' names: `.<name>.<8 hex>.partial[.ext]`. */
export const TEMPORARY_NAME = /^\..+\.[0-9a-f]{8}\.partial(\.[\w]+)?$/;

export function journalDir(home = dataHome()): string {
  return path.join(home, 'partials');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface JournalEntry {
  /** Remove the note (after the temporary was published or deleted). */
  close(): void;
}

/** Note that this process is writing `temp`. Synchronous: it must be on disk before the file is. */
export function noteTemporary(temp: string, home = dataHome()): JournalEntry {
  const dir = journalDir(home);
  const note = path.join(dir, `${process.pid}-${randomBytes(6).toString('hex')}.json`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(note, JSON.stringify({ pid: process.pid, temp: path.resolve(temp) }));
  } catch {
    // A read-only home must not stop a render; its temporary is then only cleaned by its writer.
    return { close: () => undefined };
  }
  return { close: () => rmSync(note, { force: true }) };
}

/** Delete the temporaries of writers that are gone; returns what was removed. */
export async function sweepOrphans(home = dataHome()): Promise<string[]> {
  const dir = journalDir(home);
  const notes = await readdir(dir).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of notes.filter((n) => n.endsWith('.json'))) {
    const note = path.join(dir, name);
    const parsed = EntrySchema.safeParse(
      await readFile(note, 'utf8')
        .then((t) => JSON.parse(t) as unknown)
        .catch(() => null),
    );
    if (parsed.success && alive(parsed.data.pid) && parsed.data.pid !== process.pid) continue;
    if (parsed.success && parsed.data.pid === process.pid) continue;
    if (parsed.success && TEMPORARY_NAME.test(path.basename(parsed.data.temp))) {
      await rm(parsed.data.temp, { recursive: true, force: true });
      removed.push(parsed.data.temp);
    }
    await rm(note, { force: true });
  }
  return removed;
}
