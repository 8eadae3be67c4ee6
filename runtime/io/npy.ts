import { allocHost, lanes, type DType } from '../dtype';
import { valueError } from '../errors';
import { Tensor } from '../tensor';

/**
 * NumPy's .npy format (version 1.0 and 2.0 headers): a magic string, a Python-dict header
 * {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}, then the values in C order. Writes float32 as
 * '<f4', float64 '<f8', complex64 '<c8', bool '|b1'; reads those and NumPy's integer kinds (as float64,
 * exact below 2^53). Every malformed file is an error that names the file and what is wrong with it.
 */
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
/** Bounds what a header may declare before anything is allocated. */
export const MAX_ELEMENTS = 2 ** 28;

const DESCR: Record<DType, string> = { float32: '<f4', float64: '<f8', complex64: '<c8', bool: '|b1' };

export function encodeNpy(t: Tensor): Uint8Array {
  if (!littleEndian()) throw valueError('save', 'this machine is big-endian; .npy writing assumes little-endian');
  const host = t.toHost();
  const body =
    t.dtype === 'bool'
      ? Uint8Array.from(host, (v) => (v ? 1 : 0))
      : new Uint8Array(host.buffer.slice(host.byteOffset, host.byteOffset + host.byteLength));
  return withHeader(DESCR[t.dtype], t.shape, body);
}

/** Raw bytes as a 1-d uint8 array. */
export const encodeBytesNpy = (bytes: Uint8Array): Uint8Array => withHeader('|u1', [bytes.length], bytes);

function withHeader(descr: string, dims: readonly number[], body: Uint8Array): Uint8Array {
  const shape = dims.length ? `(${dims.join(', ')}${dims.length === 1 ? ',' : ''})` : '()';
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  // pad with spaces so the data starts at a multiple of 64, ending with a newline (NumPy's rule)
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += ' '.repeat(pad % 64) + '\n';
  const out = new Uint8Array(10 + header.length + body.length);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(body, 10 + header.length);
  return out;
}

const littleEndian = () => new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

interface Kind {
  bytes: number;
  dtype: DType;
  read(view: DataView, offset: number, little: boolean): number;
}

function kindOf(descr: string, file: string): { kind: Kind; little: boolean } {
  const m = /^([<>|=])([fciub])(\d+)$/.exec(descr);
  if (!m)
    throw valueError(
      'load',
      `${file}: unsupported .npy dtype '${descr}' (numbers only: float, int, uint, bool, complex64)`,
    );
  const little = m[1] !== '>';
  const [k, n] = [m[2], Number(m[3])];
  const table: Record<string, Kind> = {
    f4: { bytes: 4, dtype: 'float32', read: (v, o, l) => v.getFloat32(o, l) },
    f8: { bytes: 8, dtype: 'float64', read: (v, o, l) => v.getFloat64(o, l) },
    c8: { bytes: 4, dtype: 'complex64', read: (v, o, l) => v.getFloat32(o, l) },
    i1: { bytes: 1, dtype: 'float64', read: (v, o) => v.getInt8(o) },
    i2: { bytes: 2, dtype: 'float64', read: (v, o, l) => v.getInt16(o, l) },
    i4: { bytes: 4, dtype: 'float64', read: (v, o, l) => v.getInt32(o, l) },
    i8: { bytes: 8, dtype: 'float64', read: (v, o, l) => Number(v.getBigInt64(o, l)) },
    u1: { bytes: 1, dtype: 'float64', read: (v, o) => v.getUint8(o) },
    u2: { bytes: 2, dtype: 'float64', read: (v, o, l) => v.getUint16(o, l) },
    u4: { bytes: 4, dtype: 'float64', read: (v, o, l) => v.getUint32(o, l) },
    u8: { bytes: 8, dtype: 'float64', read: (v, o, l) => Number(v.getBigUint64(o, l)) },
    b1: { bytes: 1, dtype: 'bool', read: (v, o) => (v.getUint8(o) ? 1 : 0) },
  };
  const kind = table[`${k}${n}`];
  if (!kind)
    throw valueError(
      'load',
      `${file}: unsupported .npy dtype '${descr}' (float16, complex128 and others are not read; convert with numpy first)`,
    );
  return { kind, little };
}

export function decodeNpy(bytes: Uint8Array, file: string): Tensor {
  const bad = (why: string) => valueError('load', `${file}: not a valid .npy file: ${why}`);
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b))
    throw bad('it does not start with the .npy magic string');
  const major = bytes[6];
  if (major < 1 || major > 3) throw bad(`unknown format version ${major}.${bytes[7]}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? view.getUint16(8, true) : bytes.length >= 12 ? view.getUint32(8, true) : -1;
  const start = major === 1 ? 10 : 12;
  if (headerLen < 0 || start + headerLen > bytes.length) throw bad('the file ends inside its header (truncated?)');
  if (headerLen > 1 << 20) throw bad(`its header declares ${headerLen} bytes`);
  const header = new TextDecoder().decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined)
    throw bad("its header lacks 'descr', 'fortran_order' or 'shape'");
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      const n = Number(s.replace(/L$/, ''));
      if (!Number.isInteger(n) || n < 0) throw bad(`its shape (${shapeText}) is not a tuple of sizes`);
      return n;
    });
  if (shape.length > 32) throw bad(`its shape has ${shape.length} dimensions`);
  const count = shape.reduce((a, b) => a * b, 1);
  if (count > MAX_ELEMENTS)
    throw valueError(
      'load',
      `${file}: the array declares shape (${shape.join(', ')}), ${count} values, more than the ${MAX_ELEMENTS} a load accepts`,
    );
  const { kind, little } = kindOf(descr, file);
  const L = lanes(kind.dtype);
  const need = count * L * kind.bytes;
  const dataStart = start + headerLen;
  if (bytes.length - dataStart < need) {
    throw valueError(
      'load',
      `${file}: the header declares shape (${shape.join(', ')}) of '${descr}', ${need} bytes of data, but the file holds only ${bytes.length - dataStart} (truncated?)`,
    );
  }
  const host = allocHost(kind.dtype, count);
  for (let i = 0; i < count * L; i++) host[i] = kind.read(view, dataStart + i * kind.bytes, little);
  const t = Tensor.fromHost(host, shape, kind.dtype, 'load');
  if (fortran === 'True') {
    // Fortran order: the values run with the first index fastest; the reversed shape in C order, transposed back
    const rev = Tensor.fromHost(host, [...shape].reverse(), kind.dtype, 'load');
    return rev.permute(...[...shape.keys()].reverse()).contiguous();
  }
  return t;
}
