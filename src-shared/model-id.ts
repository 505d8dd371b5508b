/**
 * Model ids name folders inside the models folder, so they are slugs: lowercase letters, digits,
 * "-" and "_", starting with a letter or digit, at most 64 characters. No dots, so "." and ".."
 * (and hidden names) can never be ids.
 */
export const MODEL_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export function isModelId(id: string): boolean {
  return MODEL_ID_PATTERN.test(id);
}

/** Why `id` is not a model id, or null when it is one. */
export function modelIdProblem(id: string): string | null {
  if (isModelId(id)) return null;
  return `model id "${id.slice(0, 80)}" must be 1-64 lowercase letters, digits, "-" or "_", starting with a letter or digit`;
}

/** The id a checkpoint file's name suggests: "Vox CPK.pth.tar" -> "vox-cpk"; "..pth.tar" -> "imported". */
export function modelIdFromFileName(fileName: string): string {
  const slug = fileName
    .replace(/\.pth\.tar$|\.pth$|\.pt$|\.tar$|\.ckpt$/i, '')
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '')
    .slice(0, 64)
    .replace(/[-_]+$/, '');
  return isModelId(slug) ? slug : 'imported';
}

/** `id`, or `id-2`, `id-3`, … : the first that `taken` does not hold. */
export function freeModelId(id: string, taken: ReadonlySet<string>): string {
  if (!taken.has(id)) return id;
  for (let n = 2; ; n++) {
    const suffix = `-${n}`;
    const candidate = `${id.slice(0, 64 - suffix.length)}${suffix}`;
    if (!taken.has(candidate)) return candidate;
  }
}
