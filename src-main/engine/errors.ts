import type { EngineErrorCode } from '../../src-shared/protocol/engine.js';
import { MediaCancelledError, MediaInputError } from '../media/errors.js';

/** An error that carries the protocol code the user sees it under. */
export class EngineError extends Error {
  override name = 'EngineError';
  constructor(
    readonly code: EngineErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function cancelled(): EngineError {
  return new EngineError('cancelled', 'render cancelled');
}

/** The one place a media error becomes the engine's: bad input, or a cancelled decode. */
export function engineErrorFrom(err: unknown): unknown {
  if (err instanceof MediaInputError) return new EngineError('input', err.message);
  if (err instanceof MediaCancelledError) return cancelled();
  return err;
}
