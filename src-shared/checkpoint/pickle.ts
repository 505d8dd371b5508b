/**
 * A strict, data-only reader for the pickles inside torch checkpoints. It knows the opcodes that
 * torch.save emits for state dicts and optimizer states (protocols 2-4) and resolves only an
 * allow-list of globals to plain values; any other global (os.system, builtins.eval, …) or opcode
 * stops decoding with UnsafePickleError. Nothing is ever executed. Every length is checked against
 * the bytes actually present, so a lying header cannot make it allocate.
 */

export class UnsafePickleError extends Error {
  override name = 'UnsafePickleError';
}

export class CorruptPickleError extends Error {
  override name = 'CorruptPickleError';
}

/** A Python tuple: kept distinct from lists because torch's persistent ids and shapes are tuples. */
export class PyTuple {
  constructor(readonly items: readonly PyValue[]) {}
}

/** A tensor as torch describes it: a view into a storage. */
export interface TensorRef {
  kind: 'tensor';
  storage: StorageRef;
  offset: number;
  shape: number[];
  stride: number[];
}

export interface StorageRef {
  kind: 'storage';
  dtype: TorchDtype;
  key: string;
  numel: number;
}

export type TorchDtype =
  'float32' | 'float64' | 'float16' | 'bfloat16' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

export type PyValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PyValue[]
  | PyTuple
  | Map<PyValue, PyValue>
  | TensorRef
  | StorageRef
  | GlobalRef;

/** A resolved allow-listed global, before it is called by REDUCE. */
export interface GlobalRef {
  kind: 'global';
  name: string;
}

const STORAGE_DTYPES: Record<string, TorchDtype> = {
  FloatStorage: 'float32',
  DoubleStorage: 'float64',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ShortStorage: 'int16',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
};

const DTYPE_NAMES: Record<string, TorchDtype> = {
  float32: 'float32',
  float: 'float32',
  float64: 'float64',
  double: 'float64',
  float16: 'float16',
  half: 'float16',
  bfloat16: 'bfloat16',
  int64: 'int64',
  long: 'int64',
  int32: 'int32',
  int: 'int32',
  int16: 'int16',
  int8: 'int8',
  uint8: 'uint8',
  bool: 'bool',
};

export const DTYPE_BYTES: Record<TorchDtype, number> = {
  float32: 4,
  float64: 8,
  float16: 2,
  bfloat16: 2,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
};

const ALLOWED_GLOBALS = new Set([
  'collections.OrderedDict',
  'torch._utils._rebuild_tensor_v2',
  'torch._utils._rebuild_tensor',
  'torch._utils._rebuild_parameter',
  'torch.storage._load_from_bytes',
  ...Object.keys(STORAGE_DTYPES).map((n) => `torch.${n}`),
  ...Object.keys(DTYPE_NAMES).map((n) => `torch.${n}`),
  'torch.UntypedStorage',
]);

function isGlobal(value: PyValue, name: string): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    'kind' in value &&
    value.kind === 'global' &&
    value.name === name
  );
}

function asInt(value: PyValue, what: string): number {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'bigint' && value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= 0n)
    return Number(value);
  throw new CorruptPickleError(`${what} is not an integer`);
}

function intTuple(value: PyValue, what: string): number[] {
  if (!(value instanceof PyTuple)) throw new CorruptPickleError(`${what} is not a tuple`);
  return value.items.map((v) => asInt(v, what));
}

/** torch's persistent id: ('storage', StorageType, key, location, numel[, view_metadata]). */
function storageFromPid(pid: PyValue): StorageRef {
  if (!(pid instanceof PyTuple) || pid.items[0] !== 'storage' || pid.items.length < 5) {
    throw new UnsafePickleError('this file contains an unknown persistent object, refusing');
  }
  const [, type, key, , numel] = pid.items;
  if (typeof key !== 'string') throw new CorruptPickleError('storage key is not a string');
  if (typeof type !== 'object' || type === null || !('kind' in type) || type.kind !== 'global') {
    throw new CorruptPickleError('storage type is not a global');
  }
  const short = type.name.replace(/^torch\./, '');
  const dtype = STORAGE_DTYPES[short] ?? DTYPE_NAMES[short];
  if (!dtype) throw new UnsafePickleError(`unsupported storage type ${type.name}`);
  return { kind: 'storage', dtype, key, numel: asInt(numel ?? null, 'storage size') };
}

function call(fn: PyValue, args: PyValue): PyValue {
  if (!(args instanceof PyTuple)) throw new CorruptPickleError('REDUCE arguments are not a tuple');
  const a = args.items;
  if (isGlobal(fn, 'collections.OrderedDict')) {
    if (a.length !== 0) throw new UnsafePickleError('OrderedDict built from arguments, refusing');
    return new Map();
  }
  if (isGlobal(fn, 'torch._utils._rebuild_tensor_v2') || isGlobal(fn, 'torch._utils._rebuild_tensor')) {
    const storage = a[0];
    if (
      typeof storage !== 'object' ||
      storage === null ||
      !('kind' in storage) ||
      storage.kind !== 'storage'
    ) {
      throw new CorruptPickleError('tensor without a storage');
    }
    const shape = intTuple(a[2] ?? null, 'tensor shape');
    const stride = intTuple(a[3] ?? null, 'tensor stride');
    if (stride.length !== shape.length)
      throw new CorruptPickleError('tensor stride and shape differ in rank');
    return { kind: 'tensor', storage, offset: asInt(a[1] ?? null, 'storage offset'), shape, stride };
  }
  if (isGlobal(fn, 'torch._utils._rebuild_parameter')) return a[0] ?? null;
  const name =
    typeof fn === 'object' && fn !== null && 'kind' in fn && fn.kind === 'global'
      ? fn.name
      : 'a non-callable';
  throw new UnsafePickleError(`this file contains code (a call to ${name}), refusing`);
}

const MARK = Symbol('mark');
type StackItem = PyValue | typeof MARK;

export interface UnpickleResult {
  value: PyValue;
  /** Offset just past the STOP opcode (legacy checkpoints hold several pickles in a row). */
  end: number;
}

/**
 * The most values one pickle may hold on its stack, in its memo and in its containers together. A
 * vox-256 checkpoint with its optimizer states has about 10^4; the budget stops a file that is
 * built to exhaust memory long before it does.
 */
export const MAX_PICKLE_OBJECTS = 5_000_000;

/** Decode one pickle starting at `start`. Persistent ids resolve to storage references. */
export function unpickle(bytes: Uint8Array, start = 0): UnpickleResult {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: StackItem[] = [];
  const memo = new Map<number, PyValue>();
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let pos = start;
  let objects = 0;

  const need = (n: number) => {
    if (n < 0 || pos + n > bytes.length) throw new CorruptPickleError(`truncated pickle at byte ${pos}`);
  };
  const u8 = () => (need(1), bytes[pos++]!);
  const u16 = () => (need(2), (pos += 2), view.getUint16(pos - 2, true));
  const u32 = () => (need(4), (pos += 4), view.getUint32(pos - 4, true));
  const i32 = () => (need(4), (pos += 4), view.getInt32(pos - 4, true));
  const take = (n: number) => (need(n), (pos += n), bytes.subarray(pos - n, pos));
  const text = (n: number) => {
    try {
      return decoder.decode(take(n));
    } catch (err) {
      if (err instanceof CorruptPickleError) throw err;
      throw new CorruptPickleError('invalid UTF-8 in pickle string');
    }
  };
  const line = () => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) throw new CorruptPickleError('truncated pickle line');
    const s = new TextDecoder('latin1').decode(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const pop = (): PyValue => {
    const v = stack.pop();
    if (v === undefined || v === MARK) throw new CorruptPickleError('pickle stack underflow');
    return v;
  };
  const popMark = (): PyValue[] => {
    const idx = stack.lastIndexOf(MARK);
    if (idx < 0) throw new CorruptPickleError('pickle MARK missing');
    const items = stack.splice(idx) as PyValue[];
    items.shift();
    return items;
  };
  const top = (): PyValue => {
    const v = stack[stack.length - 1];
    if (v === undefined || v === MARK) throw new CorruptPickleError('pickle stack underflow');
    return v;
  };
  const resolveGlobal = (module: string, name: string): GlobalRef => {
    const full = `${module}.${name}`;
    if (!ALLOWED_GLOBALS.has(full))
      throw new UnsafePickleError(`this file contains code (GLOBAL ${full}), refusing`);
    return { kind: 'global', name: full };
  };
  const setItems = (target: PyValue, items: PyValue[]) => {
    if (!(target instanceof Map)) throw new CorruptPickleError('SETITEMS on a non-dict');
    if (items.length % 2) throw new CorruptPickleError('odd number of dict items');
    for (let i = 0; i < items.length; i += 2) target.set(items[i]!, items[i + 1]!);
  };
  const mapKey = (k: PyValue): PyValue => k; // Map keys compare by identity for objects; torch uses str/int keys

  for (;;) {
    const op = u8();
    if (++objects > MAX_PICKLE_OBJECTS)
      throw new CorruptPickleError('checkpoint is malformed: too many objects');
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) throw new CorruptPickleError('unsupported pickle protocol');
        break;
      case 0x95: // FRAME
        take(8);
        break;
      case 0x2e: // STOP
        if (stack.length !== 1) throw new CorruptPickleError('pickle ended with a malformed stack');
        return { value: pop(), end: pos };
      case 0x28: // MARK
        stack.push(MARK);
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push(new PyTuple([]));
        break;
      case 0x85: // TUPLE1
        stack.push(new PyTuple([pop()]));
        break;
      case 0x86: {
        const b = pop();
        stack.push(new PyTuple([pop(), b]));
        break;
      }
      case 0x87: {
        const c = pop();
        const b = pop();
        stack.push(new PyTuple([pop(), b, c]));
        break;
      }
      case 0x74: // TUPLE
        stack.push(new PyTuple(popMark()));
        break;
      case 0x6c: // LIST
        stack.push(popMark());
        break;
      case 0x64: {
        // DICT
        const d = new Map<PyValue, PyValue>();
        setItems(d, popMark());
        stack.push(d);
        break;
      }
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x4a: // BININT
        stack.push(i32());
        break;
      case 0x8a: {
        // LONG1: little-endian two's complement
        const raw = take(u8());
        let v = 0n;
        for (let i = raw.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(raw[i]!);
        if (raw.length && raw[raw.length - 1]! & 0x80) v -= 1n << BigInt(8 * raw.length);
        stack.push(
          v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v,
        );
        break;
      }
      case 0x47: // BINFLOAT (big-endian double)
        need(8);
        stack.push(view.getFloat64(pos, false));
        pos += 8;
        break;
      case 0x58: // BINUNICODE
        stack.push(text(u32()));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(text(u8()));
        break;
      case 0x55: // SHORT_BINSTRING
        stack.push(text(u8()));
        break;
      case 0x54: // BINSTRING
        stack.push(text(u32()));
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(take(u8()).slice());
        break;
      case 0x42: // BINBYTES
        stack.push(take(u32()).slice());
        break;
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const key = op === 0x68 ? u8() : u32();
        if (!memo.has(key)) throw new CorruptPickleError(`pickle memo ${key} missing`);
        stack.push(memo.get(key)!);
        break;
      }
      case 0x63: {
        // GLOBAL "module\nname\n"
        const module = line();
        stack.push(resolveGlobal(module, line()));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string')
          throw new CorruptPickleError('STACK_GLOBAL needs strings');
        stack.push(resolveGlobal(module, name));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        stack.push(call(pop(), args));
        break;
      }
      case 0x62: {
        // BUILD: only plain state on dicts (OrderedDict's _metadata) is accepted, and ignored.
        const state = pop();
        const target = top();
        if (
          !(target instanceof Map) ||
          !(state === null || state instanceof Map || state instanceof PyTuple)
        ) {
          throw new UnsafePickleError('this file sets object state, refusing');
        }
        break;
      }
      case 0x73: {
        // SETITEM
        const value = pop();
        const key = pop();
        setItems(top(), [mapKey(key), value]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x61: {
        // APPEND
        const value = pop();
        const list = top();
        if (!Array.isArray(list)) throw new CorruptPickleError('APPEND on a non-list');
        list.push(value);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        const list = top();
        if (!Array.isArray(list)) throw new CorruptPickleError('APPENDS on a non-list');
        for (const item of items) list.push(item);
        break;
      }
      case 0x51: // BINPERSID
        stack.push(storageFromPid(pop()));
        break;
      default:
        if ([0x69, 0x6f, 0x81, 0x92, 0x82, 0x83, 0x84].includes(op)) {
          throw new UnsafePickleError(`this file contains code (opcode 0x${op.toString(16)}), refusing`);
        }
        throw new CorruptPickleError(`unsupported pickle opcode 0x${op.toString(16)} at byte ${pos - 1}`);
    }
  }
}
