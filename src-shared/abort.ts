/**
 * Cancellation: one rule for reacting to an AbortSignal. A listener added to a signal that has
 * already aborted never fires, so work started after the user cancelled would run to its end;
 * `whenAborted` runs the handler at once in that case.
 */

/** Run `handler` when `signal` aborts, or now if it already has. Returns what removes the listener. */
export function whenAborted(signal: AbortSignal | undefined, handler: () => void): () => void {
  if (!signal) return () => undefined;
  if (signal.aborted) {
    handler();
    return () => undefined;
  }
  signal.addEventListener('abort', handler, { once: true });
  return () => signal.removeEventListener('abort', handler);
}
