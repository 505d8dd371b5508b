/**
 * The media layer's errors: a file that cannot be used (not found, not a picture, damaged,
 * a crop that does not fit) and a decode stopped by its caller. The engine maps them once to its
 * protocol codes ('input', 'cancelled'), in engine/errors.ts.
 */
export class MediaInputError extends Error {
  override name = 'MediaInputError';
}

export class MediaCancelledError extends Error {
  override name = 'MediaCancelledError';
  constructor() {
    super('cancelled');
  }
}
