import * as nb from '../../runtime';
import { Tensor } from '../../runtime';
import * as io from '../../runtime/io';
import { LangError } from '../operators';
import { Tuple, typeName, type Value } from '../values';
import { asTensor, seqItems } from './convert';
import { dtypeOf } from './dtype';
import { hostFs } from './host-fs';
import type { BuiltinTable } from './table';

/**
 * Files from the language: save/load (.npz checkpoints of any value, .npy for one tensor), read_csv and
 * write_csv, on the host's file system (host-fs.ts: Node's, or files in memory in a browser's worker).
 */
const TUPLES: io.TupleCodec = {
  is: (v) => v instanceof Tuple,
  items: (v) => (v as Tuple).items,
  make: (items) => new Tuple(items),
};
const MAX_FILE_BYTES = 1 << 30;

function pathOf(v: Value, fn: string): string {
  if (typeof v !== 'string' || v === '')
    throw new LangError(`${fn}: the file must be a path string such as "run.npz", got ${typeName(v)}`);
  return v;
}

const why = (e: unknown) => {
  const code = (e as { code?: string }).code;
  return code === 'ENOENT'
    ? 'no such file or directory'
    : code === 'EISDIR'
      ? 'it is a directory'
      : code === 'EACCES'
        ? 'permission denied'
        : (e as Error).message;
};

export function readBytes(fn: string, path: string): Uint8Array {
  const fs = hostFs();
  try {
    const st = fs.statSync(path);
    if (st.isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
    if (st.size > MAX_FILE_BYTES)
      throw new LangError(`${fn}: ${path} is ${st.size} bytes, more than the ${MAX_FILE_BYTES} it reads`, 'ValueError');
    return new Uint8Array(fs.readFileSync(path));
  } catch (e) {
    if (e instanceof LangError) throw e;
    throw new LangError(`${fn}: cannot read ${path}: ${why(e)}`, 'ValueError');
  }
}

function writeBytes(fn: string, path: string, data: Uint8Array | string): void {
  try {
    hostFs().writeFileSync(path, data);
  } catch (e) {
    if (e instanceof LangError) throw e;
    throw new LangError(`${fn}: cannot write ${path}: ${why(e)}`, 'ValueError');
  }
}

const extension = (path: string) => /\.([a-z0-9]+)$/i.exec(path)?.[1].toLowerCase() ?? '';

/** What save writes for a model or optimizer: its state_dict (PyTorch's meaning of torch.save(model.state_dict())). */
function savable(v: Value, depth = 0): Value {
  if (depth > 64) return v; // deeper (or cyclic) values are refused by the encoder with a sentence
  if (v instanceof nb.Optimizer) return v.stateDict();
  if (typeof v === 'function' && typeof (v as { stateDict?: unknown }).stateDict === 'function')
    return (v as unknown as { stateDict: () => Value }).stateDict();
  if (Array.isArray(v)) return v.map((x) => savable(x, depth + 1));
  if (v instanceof Tuple) return new Tuple(v.items.map((x) => savable(x, depth + 1)));
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [k, savable(x, depth + 1)]));
  return v;
}

export function addData(t: BuiltinTable): void {
  t.add(
    'files',
    'save',
    ['value', 'file'],
    "Writes a value to a file: .npz (NumPy's zip of arrays) holds tensors, numbers, strings, lists and maps of them, nested, with PyTorch's state_dict key names (layers.0.weight); a model or optimizer saves its state_dict(); .npy holds one tensor. numpy.load reads both.",
    (v: Value, f: Value) => {
      const path = pathOf(f, 'save');
      const ext = extension(path);
      const value = savable(v);
      if (ext === 'npy') {
        if (!(value instanceof Tensor) && typeof value !== 'number')
          throw new LangError(
            `save: a .npy file holds one tensor, got a ${typeName(value)}; use a .npz file for other values`,
          );
        writeBytes('save', path, io.encodeNpy(asTensor(value, 'save')));
      } else if (ext === 'npz') writeBytes('save', path, io.encodeCheckpoint(value, path, TUPLES));
      else
        throw new LangError(
          `save: ${path}: the file name must end in .npz (any value) or .npy (one tensor); write_csv writes CSV`,
        );
      return null;
    },
  );
  t.add(
    'files',
    'load',
    ['file'],
    "Reads what save wrote: a .npz gives back the saved value (maps, lists, numbers, tensors as they were; a plain NumPy .npz gives a map of its arrays), a .npy its tensor (NumPy's float32, float64, complex64, integer and bool arrays). Restore a model with net.load_state_dict(load(f)).",
    (f: Value) => {
      const path = pathOf(f, 'load');
      const ext = extension(path);
      if (ext !== 'npy' && ext !== 'npz')
        throw new LangError(`load: ${path}: the file name must end in .npz or .npy; read_csv reads CSV`);
      const bytes = readBytes('load', path);
      return ext === 'npy' ? io.decodeNpy(bytes, path) : io.decodeCheckpoint(bytes, path, TUPLES);
    },
  );
  t.add(
    'files',
    'read_csv',
    ['file', 'header=none', 'delimiter=","', 'dtype=none'],
    'A table of numbers from a CSV file as a [rows, columns] tensor. header=none skips the first line when a cell there is not a number (true or false decide); a cell that is not a number is an error naming its line and column.',
    (f: Value, h: Value, d: Value, dt: Value) => {
      const path = pathOf(f, 'read_csv');
      if (h !== null && typeof h !== 'boolean')
        throw new LangError('read_csv: header must be true, false or none (detect)');
      if (typeof d !== 'string') throw new LangError('read_csv: delimiter must be a one-character string such as ","');
      const text = new TextDecoder().decode(readBytes('read_csv', path));
      return io.parseCsv(text, path, { header: h as boolean | null, delimiter: d, dtype: dtypeOf(dt, 'read_csv') })
        .values;
    },
  );
  t.add(
    'files',
    'write_csv',
    ['x', 'file', 'header=none', 'delimiter=","'],
    'Writes a 1-d or 2-d tensor as CSV, one row per line, with every digit needed to read it back exactly; header= is a list of column names.',
    (x: Value, f: Value, h: Value, d: Value) => {
      const path = pathOf(f, 'write_csv');
      const names =
        h === null
          ? null
          : seqItems(h).map((s) => {
              if (typeof s !== 'string')
                throw new LangError('write_csv: header must be a list of column names (strings)');
              return s;
            });
      if (typeof d !== 'string' || d.length !== 1)
        throw new LangError('write_csv: delimiter must be a one-character string such as ","');
      writeBytes('write_csv', path, io.formatCsv(asTensor(x, 'write_csv'), names, d));
      return null;
    },
  );
}
