/** Files the app keeps (queue, projects) are replaced whole or not at all: a crash mid-write leaves the old one. */
import { rename, rm, writeFile } from 'node:fs/promises';

export async function writeFileAtomic(file: string, body: string): Promise<void> {
  const partial = `${file}.partial`;
  try {
    await writeFile(partial, body);
    await rename(partial, file);
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
}
