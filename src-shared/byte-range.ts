/**
 * HTTP byte ranges (RFC 9110 §14), the single-range subset a <video> element asks for when it
 * seeks: `bytes=a-b`, `bytes=a-` and `bytes=-n`.
 */
export interface ByteRange {
  start: number;
  /** Inclusive. */
  end: number;
}

/** The range a header asks of a file of `size` bytes; null for the whole file; 'unsatisfiable' → 416. */
export function parseByteRange(
  header: string | null | undefined,
  size: number,
): ByteRange | null | 'unsatisfiable' {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  // A multi-range or malformed header may be ignored: answer with the whole file.
  if (!match || (match[1] === '' && match[2] === '')) return null;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}
