/**
 * Reads torch.save files without Python, in both layouts:
 * - zip (torch >= 1.6): `<name>/data.pkl` plus one stored entry per storage `<name>/data/<key>`;
 * - legacy (what the published FOMM checkpoints use): magic, protocol and system-info pickles,
 *   the object pickle, the list of storage keys, then each storage as int64 numel + raw bytes.
 * Pickles are decoded by the strict data-only reader; storages are read lazily at their offsets,
 * and every offset and size is checked against the file's real length before anything is read.
 */
import { open, type FileHandle } from 'node:fs/promises';
import {
  CorruptPickleError,
  DTYPE_BYTES,
  PyTuple,
  unpickle,
  type PyValue,
  type StorageRef,
  type TensorRef,
} from '../../src-shared/checkpoint/pickle.js';

export class CheckpointFormatError extends Error {
  override name = 'CheckpointFormatError';
}

export interface ByteSource {
  readonly size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
}

export async function fileSource(path: string): Promise<ByteSource & { close(): Promise<void> }> {
  const handle: FileHandle = await open(path, 'r');
  const { size } = await handle.stat();
  return {
    size,
    async read(offset, length) {
      if (offset < 0 || length < 0 || offset + length > size)
        throw new CheckpointFormatError('read past the end of the file (truncated?)');
      const buffer = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await handle.read(buffer, done, length - done, offset + done);
        if (bytesRead === 0) throw new CheckpointFormatError('file ended early (truncated?)');
        done += bytesRead;
      }
      return buffer;
    },
    close: () => handle.close(),
  };
}

export function memorySource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    async read(offset, length) {
      if (offset < 0 || length < 0 || offset + length > bytes.length)
        throw new CheckpointFormatError('read past the end of the file (truncated?)');
      return bytes.subarray(offset, offset + length);
    },
  };
}

export interface Checkpoint {
  format: 'zip' | 'legacy';
  root: PyValue;
  /** Byte range of each storage's data, by storage key. */
  storages: Map<string, { offset: number; length: number }>;
  source: ByteSource;
}

const u16 = (b: Uint8Array, o: number) => b[o]! | (b[o + 1]! << 8);
const u32 = (b: Uint8Array, o: number) =>
  (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16)) + b[o + 3]! * 2 ** 24;
const u64 = (b: Uint8Array, o: number) => {
  const value = u32(b, o) + u32(b, o + 4) * 2 ** 32;
  if (!Number.isSafeInteger(value)) throw new CheckpointFormatError('size field too large');
  return value;
};

interface ZipEntry {
  name: string;
  method: number;
  size: number;
  headerOffset: number;
}

async function zipEntries(source: ByteSource): Promise<ZipEntry[]> {
  const tailLength = Math.min(source.size, 65_557);
  const tail = await source.read(source.size - tailLength, tailLength);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (u32(tail, i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new CheckpointFormatError('zip end record not found');
  let count = u16(tail, eocd + 10);
  let cdSize = u32(tail, eocd + 12);
  let cdOffset = u32(tail, eocd + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const locator = eocd - 20;
    if (locator < 0 || u32(tail, locator) !== 0x07064b50)
      throw new CheckpointFormatError('zip64 locator missing');
    const z64Offset = u64(tail, locator + 8);
    const z64 = await source.read(z64Offset, 56);
    if (u32(z64, 0) !== 0x06064b50) throw new CheckpointFormatError('zip64 end record missing');
    count = u64(z64, 32);
    cdSize = u64(z64, 40);
    cdOffset = u64(z64, 48);
  }
  if (cdOffset + cdSize > source.size)
    throw new CheckpointFormatError('zip directory points past the end of the file');
  const cd = await source.read(cdOffset, cdSize);
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.length || u32(cd, p) !== 0x02014b50)
      throw new CheckpointFormatError('corrupt zip directory');
    const nameLength = u16(cd, p + 28);
    const extraLength = u16(cd, p + 30);
    const commentLength = u16(cd, p + 32);
    if (p + 46 + nameLength + extraLength > cd.length)
      throw new CheckpointFormatError('corrupt zip directory');
    const name = new TextDecoder().decode(cd.subarray(p + 46, p + 46 + nameLength));
    let size = u32(cd, p + 20);
    let headerOffset = u32(cd, p + 42);
    // ZIP64 extra field holds the real sizes/offset when the 32-bit ones are saturated.
    let e = p + 46 + nameLength;
    const extraEnd = e + extraLength;
    while (e + 4 <= extraEnd) {
      const id = u16(cd, e);
      const len = u16(cd, e + 2);
      if (id === 0x0001) {
        let q = e + 4;
        if (u32(cd, p + 24) === 0xffffffff) q += 8; // uncompressed size
        if (size === 0xffffffff) {
          size = u64(cd, q);
          q += 8;
        }
        if (headerOffset === 0xffffffff) headerOffset = u64(cd, q);
      }
      e += 4 + len;
    }
    entries.push({ name, method: u16(cd, p + 10), size, headerOffset });
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

async function entryRange(source: ByteSource, entry: ZipEntry): Promise<{ offset: number; length: number }> {
  if (entry.method !== 0)
    throw new CheckpointFormatError(
      `zip entry ${entry.name} is compressed; torch checkpoints store entries uncompressed`,
    );
  const header = await source.read(entry.headerOffset, 30);
  if (u32(header, 0) !== 0x04034b50) throw new CheckpointFormatError(`corrupt zip entry ${entry.name}`);
  const offset = entry.headerOffset + 30 + u16(header, 26) + u16(header, 28);
  if (offset + entry.size > source.size)
    throw new CheckpointFormatError(`zip entry ${entry.name} runs past the end of the file`);
  return { offset, length: entry.size };
}

/** How deep a checkpoint's containers may nest: a state dict needs 4; anything past this is an attack. */
export const MAX_NESTING = 64;

/**
 * Every storage referenced anywhere in a decoded object. Each container is visited once, however
 * often the pickle's memo shares it, so the walk is linear in the file (a tuple of tuples that
 * reuse one another has 2^n paths through n opcodes); nesting deeper than MAX_NESTING is refused.
 */
export function collectStorages(root: PyValue): Map<string, StorageRef> {
  const out = new Map<string, StorageRef>();
  const seen = new Set<object>();
  const todo: Array<[PyValue, number]> = [[root, 0]];
  while (todo.length) {
    const [value, depth] = todo.pop()!;
    if (value === null || typeof value !== 'object' || value instanceof Uint8Array) continue;
    if (seen.has(value)) continue;
    seen.add(value);
    if (value instanceof Map || Array.isArray(value) || value instanceof PyTuple) {
      if (depth >= MAX_NESTING) throw new CheckpointFormatError('checkpoint is malformed: nested too deeply');
      const children = value instanceof Map ? value.values() : Array.isArray(value) ? value : value.items;
      for (const child of children) todo.push([child, depth + 1]);
    } else if (value.kind === 'tensor') out.set(value.storage.key, value.storage);
    else if (value.kind === 'storage') out.set(value.key, value);
  }
  return out;
}

async function readZip(source: ByteSource): Promise<Checkpoint> {
  const entries = await zipEntries(source);
  const pkl = entries.find((e) => /^[^/]+\/data\.pkl$/.test(e.name));
  if (!pkl) throw new CheckpointFormatError('zip file has no data.pkl: not a torch checkpoint');
  const prefix = pkl.name.slice(0, -'data.pkl'.length);
  const range = await entryRange(source, pkl);
  const { value: root } = unpickle(await source.read(range.offset, range.length));
  const storages = new Map<string, { offset: number; length: number }>();
  const byName = new Map(entries.map((e) => [e.name, e]));
  for (const [key, ref] of collectStorages(root)) {
    const entry = byName.get(`${prefix}data/${key}`);
    if (!entry) throw new CheckpointFormatError(`storage ${key} is missing from the archive`);
    const where = await entryRange(source, entry);
    if (where.length < ref.numel * DTYPE_BYTES[ref.dtype])
      throw new CheckpointFormatError(`storage ${key} is shorter than its tensors claim`);
    storages.set(key, where);
  }
  return { format: 'zip', root, storages, source };
}

async function readLegacy(source: ByteSource): Promise<Checkpoint> {
  // The pickles sit before the storages; read a growing head until they decode.
  let headLength = Math.min(source.size, 1 << 20);
  for (;;) {
    const head = await source.read(0, headLength);
    try {
      let at = 0;
      const parts: PyValue[] = [];
      for (let i = 0; i < 5; i++) {
        const { value, end } = unpickle(head, at);
        parts.push(value);
        at = end;
      }
      const [magic, protocol, , root, keys] = parts;
      if (magic !== 0x1950a86a20f9469cfc6cn && magic !== Number(0x1950a86a20f9469cfc6cn)) {
        throw new CheckpointFormatError('not a torch checkpoint (bad magic number)');
      }
      if (protocol !== 1001)
        throw new CheckpointFormatError(`unsupported torch legacy protocol ${String(protocol)}`);
      if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string'))
        throw new CheckpointFormatError('storage key list is malformed');
      const refs = collectStorages(root!);
      const storages = new Map<string, { offset: number; length: number }>();
      let offset = at;
      for (const key of keys as string[]) {
        const ref = refs.get(key);
        if (!ref) throw new CheckpointFormatError(`storage ${key} is not used by any tensor`);
        const numel = u64(await source.read(offset, 8), 0);
        if (numel !== ref.numel)
          throw new CheckpointFormatError(
            `storage ${key} holds ${numel} elements, its tensors claim ${ref.numel}`,
          );
        const length = numel * DTYPE_BYTES[ref.dtype];
        if (offset + 8 + length > source.size)
          throw new CheckpointFormatError(`storage ${key} runs past the end of the file (truncated?)`);
        storages.set(key, { offset: offset + 8, length });
        offset += 8 + length;
      }
      for (const key of refs.keys())
        if (!storages.has(key)) throw new CheckpointFormatError(`storage ${key} is missing`);
      return { format: 'legacy', root: root!, storages, source };
    } catch (err) {
      const truncated = err instanceof CorruptPickleError && /truncated/.test(err.message);
      if (truncated && headLength < source.size) {
        headLength = Math.min(source.size, headLength * 4);
        continue;
      }
      throw err;
    }
  }
}

export async function readCheckpoint(source: ByteSource): Promise<Checkpoint> {
  if (source.size < 8) throw new CheckpointFormatError('file is too small to be a torch checkpoint');
  const magic = await source.read(0, 4);
  if (u32(magic, 0) === 0x04034b50) return readZip(source);
  if (magic[0] === 0x80) return readLegacy(source);
  if (magic[0] === 0x1f && magic[1] === 0x8b)
    throw new CheckpointFormatError('this is a gzip file, not a torch checkpoint');
  // Despite the name, a published .pth.tar is not a tar archive: a real tar here holds something else.
  if (source.size >= 262 && new TextDecoder().decode(await source.read(257, 5)) === 'ustar')
    throw new CheckpointFormatError(
      'this is a tar archive, not a torch checkpoint (the published .pth.tar files are not tar archives: import the downloaded file as it is)',
    );
  throw new CheckpointFormatError('not a torch checkpoint (neither a zip archive nor a pickle)');
}

function isContiguous(shape: number[], stride: number[]): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && stride[i] !== expected) return false;
    expected *= shape[i]!;
  }
  return true;
}

/** A float tensor's values as float32, row-major. */
export async function readFloatTensor(checkpoint: Checkpoint, tensor: TensorRef): Promise<Float32Array> {
  const numel = tensor.shape.reduce((a, b) => a * b, 1);
  if (tensor.storage.dtype !== 'float32')
    throw new CheckpointFormatError(`expected float32 weights, found ${tensor.storage.dtype}`);
  if (!isContiguous(tensor.shape, tensor.stride))
    throw new CheckpointFormatError('non-contiguous tensors are not supported');
  const where = checkpoint.storages.get(tensor.storage.key);
  if (!where) throw new CheckpointFormatError(`storage ${tensor.storage.key} is missing`);
  const start = tensor.offset * 4;
  if (start + numel * 4 > where.length) throw new CheckpointFormatError('tensor runs past its storage');
  const bytes = await checkpoint.source.read(where.offset + start, numel * 4);
  const out = new Float32Array(numel);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}
