/**
 * The projects the user saved or opened last, newest first, kept in the studio's home folder.
 * A damaged list is a list lost, never a crash: it only saves the user a trip to the file picker.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from './atomic-file.js';

const RecentFileSchema = z.object({ version: z.literal(1), paths: z.array(z.string()) });
export const MAX_RECENT = 10;

export class RecentProjects {
  private paths: string[] = [];
  private saving: Promise<void> = Promise.resolve();

  constructor(private readonly file: string) {}

  async load(): Promise<void> {
    const text = await readFile(this.file, 'utf8').catch(() => null);
    if (text === null) return;
    try {
      this.paths = RecentFileSchema.parse(JSON.parse(text)).paths.slice(0, MAX_RECENT);
    } catch {
      this.paths = [];
    }
  }

  /** The list, without files that are gone. */
  list(): string[] {
    return this.paths.filter((p) => existsSync(p));
  }

  async add(file: string): Promise<void> {
    const resolved = path.resolve(file);
    this.paths = [resolved, ...this.paths.filter((p) => p !== resolved)].slice(0, MAX_RECENT);
    const body = `${JSON.stringify({ version: 1, paths: this.paths }, null, 1)}\n`;
    this.saving = this.saving.then(() => writeFileAtomic(this.file, body));
    await this.saving;
  }
}
