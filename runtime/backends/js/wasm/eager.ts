import type { HostArray } from '../../../dtype';
import type { KernelOutput } from '../../../kernels';
import { sizeOf } from '../../../shape';
import type { View } from '../../../storage';
import { Func, module } from './asm';
import { columnSumRows, declareScratch, emitOp, WASM_BINARY, WASM_UNARY } from '../plan/wasm';

/**
 * Eager elementwise kernels in WebAssembly SIMD: the js backend's unary and binary kernels hand a float32 op
 * of a SIMD-able fn (the registry's `wasm` entries) here when every input is either contiguous over the
 * output or one broadcast value, and the output is large enough to pay for the call (EAGER_SIMD_MIN).
 *
 * The SIMD code is the compiled plans' (../plan/wasm.ts emitOp), so an eager op, a fused wasm loop and the
 * generated JS loop give the same bits. The values are copied through one fixed scratch memory in chunks of
 * CHUNK elements (inputs in, result out: typed-array copies at memory speed), so the memory never grows and
 * stays in cache; eager storages stay plain JS typed arrays and nothing in wasm memory outlives a call.
 */

/**
 * The fns taken: the plans' SIMD forms, less maximum and minimum, whose NaN results carry another sign bit
 * in wasm than in the JS loop (0x7fc00000 against 0xffc00000; both NaN, but not the same bits).
 */
const EAGER_UNARY = WASM_UNARY;
const EAGER_BINARY = new Set([...WASM_BINARY].filter((fn) => fn !== 'maximum' && fn !== 'minimum'));

/** Elements per chunk: three regions of 64 KiB (two inputs and the result) stay in L2. */
export const CHUNK = 16384;
/**
 * `min`: below this many elements the generated JS loop is as fast (the call, the copies and the chunk
 * set-up cost about as much as the arithmetic they save; bench/eager-simd.ts measures the crossover).
 * Tests and benchmarks set it to Infinity to run the JS loops alone.
 */
export const eagerSimd = { min: 1024 };

/** The fns the eager SIMD path takes, by kernel (tests). */
export const eagerSimdFns = (kernel: 'unary' | 'binary'): readonly string[] => [
  ...(kernel === 'unary' ? EAGER_UNARY : EAGER_BINARY),
];

const REGION = CHUNK * 4;
const A_AT = 0;
const B_AT = REGION;
const OUT_AT = 2 * REGION;
const SCALARS_AT = 3 * REGION; // 16 bytes each: a broadcast a, a broadcast b
const PAGES = Math.ceil((SCALARS_AT + 32) / 65536);

/**
 * How an input reaches the kernel: `f` contiguous over the output, `s` one value broadcast to all, `r` one
 * row of the output's last `period` elements repeated (a bias added to a batch), period a multiple of 4.
 */
export type Operand = 'f' | 's' | 'r';

let memory: WebAssembly.Memory | null = null;
let heap: Float32Array;
const kernels = new Map<string, (...addrs: number[]) => void>();

function ensureMemory(): Float32Array {
  if (!memory) {
    memory = new WebAssembly.Memory({ initial: PAGES, maximum: PAGES });
    heap = new Float32Array(memory.buffer);
  }
  return heap;
}

/**
 * The function for `op` (unary:fn or binary:fn) over operands `kinds`: its params are each input's byte
 * address, the result's byte address and the byte count (a multiple of 16; lanes past the elements compute
 * on stale values no one reads).
 */
function kernelFor(op: string, kinds: readonly Operand[]): (...addrs: number[]) => void {
  const key = `${op}|${kinds.join('')}`;
  const hit = kernels.get(key);
  if (hit) return hit;
  const ins = kinds.map((_, i) => `in${i}`);
  const rows = kinds.includes('r');
  const params: [string, 'i32'][] = [
    ...ins.map((n) => [n, 'i32'] as [string, 'i32']),
    ['out', 'i32'],
    ['bytes', 'i32'],
  ];
  if (rows) params.push(['rowBytes', 'i32']);
  const f = new Func('k', params);
  f.local('o', 'i32').local('c', 'i32');
  kinds.forEach((k, i) => k === 's' && f.local(`s${i}`, 'v128'));
  declareScratch(f);
  kinds.forEach((k, i) => k === 's' && f.get(ins[i]).load32Splat(0).set(`s${i}`));
  const body = () => {
    f.get('out').get('o').add();
    emitOp(f, op, (i) => {
      if (kinds[i] === 's') f.get(`s${i}`);
      else
        f.get(ins[i])
          .get(kinds[i] === 'r' ? 'c' : 'o')
          .add()
          .v128Load(0);
    });
    f.v128Store(0);
  };
  f.i32(0).set('o');
  if (!rows) {
    f.loop();
    body();
    f.get('o').i32(16).add().tee('o').get('bytes').ltU().brIf(0);
    f.end();
  } else {
    // rows of rowBytes: the row operands restart at each row (c), the others run on (o)
    f.loop();
    f.i32(0).set('c');
    f.loop();
    body();
    f.get('o').i32(16).add().set('o');
    f.get('c').i32(16).add().tee('c').get('rowBytes').ltU().brIf(0);
    f.end();
    f.get('o').get('bytes').ltU().brIf(0);
    f.end();
  }
  const run = onScratch(f) as (...addrs: number[]) => void;
  kernels.set(key, run);
  return run;
}

/** `f` (named k) instantiated on the scratch memory. */
function onScratch(f: Func): (...args: number[]) => void {
  ensureMemory();
  const inst = new WebAssembly.Instance(new WebAssembly.Module(module([f])), { env: { mem: memory! } });
  return inst.exports.k as (...args: number[]) => void;
}

let available: boolean | undefined;
/** Whether this engine runs WebAssembly SIMD (where it does not, the JS loops run everything). */
function simdAvailable(): boolean {
  if (available === undefined) {
    try {
      kernelFor('binary:add', ['f', 'f']);
      available = true;
    } catch {
      available = false;
    }
  }
  return available;
}

/**
 * How a view with `strides` walks `shape`: `f` contiguously, `s` repeating one value, or a row of that many
 * elements (the trailing dims contiguous, the leading ones broadcast); null for any other layout.
 */
export function operandOf(shape: readonly number[], strides: readonly number[]): 'f' | 's' | number | null {
  let expect = 1;
  let d = shape.length - 1;
  for (; d >= 0; d--) {
    if (shape[d] === 1) continue;
    if (strides[d] !== expect) break;
    expect *= shape[d];
  }
  if (d < 0) return 'f';
  for (; d >= 0; d--) if (shape[d] !== 1 && strides[d] !== 0) return null;
  return expect === 1 ? 's' : expect;
}

/**
 * The operand kinds for the SIMD path (./wasm/eager.ts), or null where it does not apply: a float32 op of a
 * SIMD-able fn on at least eagerSimd.min elements whose inputs are contiguous or single broadcast values.
 * The gpu.js backends' policy leaves these calls to the js kernel.
 */
export function simdOperands(
  kernel: string,
  inputs: readonly View[],
  out: KernelOutput,
  attrs?: Readonly<Record<string, unknown>>,
): { kinds: Operand[]; period: number } | null {
  if (kernel !== 'unary' && kernel !== 'binary') return null;
  if (out.dtype !== 'float32' || sizeOf(out.shape) < eagerSimd.min || !attrs || !simdAvailable()) return null;
  if (!(kernel === 'unary' ? EAGER_UNARY : EAGER_BINARY).has(attrs.fn as string)) return null;
  const kinds: Operand[] = [];
  let period = 0;
  for (const v of inputs) {
    const k = v.dtype === 'float32' ? operandOf(out.shape, v.strides) : null;
    if (k === null) return null;
    if (typeof k === 'number') {
      // one row length for all, whole vectors of it, and a whole number of rows in a chunk
      if ((period && k !== period) || k % 4 !== 0 || k > CHUNK) return null;
      period = k;
      kinds.push('r');
    } else kinds.push(k);
  }
  return { kinds, period };
}

/**
 * res[0..n) = op(inputs), where input i is `srcs[i]` from `offs[i]` on (kind `f`), the single value
 * srcs[i][offs[i]] (kind `s`) or the row of `period` values from there, repeated (kind `r`). All float32.
 */
export function runEager(
  op: string,
  kinds: readonly Operand[],
  period: number,
  srcs: readonly HostArray[],
  offs: readonly number[],
  res: Float32Array,
  n: number,
): void {
  const mem = ensureMemory();
  const k = kernelFor(op, kinds);
  const ats = kinds.map((kind, i) => (kind === 's' ? SCALARS_AT + 16 * i : i === 0 ? A_AT : B_AT));
  kinds.forEach((kind, i) => {
    if (kind === 's') mem[ats[i] >> 2] = srcs[i][offs[i]];
    if (kind === 'r') mem.set(srcs[i].subarray(offs[i], offs[i] + period), ats[i] >> 2);
  });
  // with rows, a chunk holds whole rows (n is a multiple of the period then)
  const step = period ? Math.floor(CHUNK / period) * period : CHUNK;
  for (let start = 0; start < n; start += step) {
    const len = Math.min(step, n - start);
    for (let i = 0; i < kinds.length; i++)
      if (kinds[i] === 'f') mem.set(srcs[i].subarray(offs[i] + start, offs[i] + start + len), ats[i] >> 2);
    const bytes = ((len + 3) & ~3) * 4;
    if (kinds.length === 1) k(ats[0], OUT_AT, bytes, period * 4);
    else k(ats[0], ats[1], OUT_AT, bytes, period * 4);
    res.set(mem.subarray(OUT_AT >> 2, (OUT_AT >> 2) + len), start);
  }
}

const sumKernels = new Map<string, () => void>();

/**
 * The row loop of a column sum over `rows` rows of C values at A_AT into float64 accumulators at B_AT (the
 * compiled plans' loop, ../plan/wasm.ts columnSumRows). Keyed by shape, so bounded: a program with many shapes
 * rebuilds the odd one.
 */
function sumKernelFor(dtype: 'float32' | 'float64', rows: number, C: number): () => void {
  const key = `${dtype}|${rows}|${C}`;
  const hit = sumKernels.get(key);
  if (hit) return hit;
  if (sumKernels.size >= 64) sumKernels.clear();
  const run = onScratch(columnSumRows('k', A_AT, rows, C, B_AT, dtype));
  sumKernels.set(key, run);
  return run;
}

/**
 * res[j] = sum over rows i < R of src[off + i C + j] in float64, rows in order, rounded once to res's type:
 * the js reduce kernel's column sums (a bias gradient) bit for bit, in f64x2 lanes. False (res untouched) where
 * it does not apply: no SIMD, C not whole vectors, or C's accumulators larger than a region.
 */
export function runColumnSum(
  src: Float32Array | Float64Array,
  off: number,
  R: number,
  C: number,
  res: Float32Array | Float64Array,
): boolean {
  const dtype = src instanceof Float64Array ? 'float64' : 'float32';
  const bytes = dtype === 'float64' ? 8 : 4;
  if (C % (16 / bytes) !== 0 || C * 8 > REGION || R * C < eagerSimd.min || !simdAvailable()) return false;
  const mem = ensureMemory();
  const acc = new Float64Array(mem.buffer, B_AT, C);
  acc.fill(0);
  const view = dtype === 'float64' ? new Float64Array(mem.buffer) : mem;
  const per = Math.floor(REGION / (C * bytes));
  for (let r = 0; r < R; r += per) {
    const rows = Math.min(per, R - r);
    view.set(src.subarray(off + r * C, off + (r + rows) * C), A_AT / bytes);
    sumKernelFor(dtype, rows, C)();
  }
  for (let j = 0; j < C; j++) res[j] = acc[j];
  return true;
}
