/** Cuts a byte stream into fixed-size raw frames. Backpressure comes from the consumer's pace. */
import type { Readable } from 'node:stream';

export async function* rawFrames(stream: Readable, frameBytes: number): AsyncGenerator<Uint8Array> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    pending.push(chunk);
    pendingBytes += chunk.length;
    if (pendingBytes < frameBytes) continue;
    let joined = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
    let offset = 0;
    while (joined.length - offset >= frameBytes) {
      // Copy: the frame outlives the chunk and must not pin the whole chunk in memory.
      yield new Uint8Array(joined.subarray(offset, offset + frameBytes));
      offset += frameBytes;
    }
    joined = joined.subarray(offset);
    pending = joined.length ? [joined] : [];
    pendingBytes = joined.length;
  }
}
