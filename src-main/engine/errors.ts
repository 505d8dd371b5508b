import type { EngineErrorCode } from '../../src-shared/protocol/engine.js';

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
