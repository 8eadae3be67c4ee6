import { Func, module, SIMD, type ValType } from './asm';
import { gemmMemory, SPLIT_FROM_EAGER, splitGemm } from './gemm-threads';

/**
 * float32 and float64 matmul with WebAssembly SIMD: the BLIS/GotoBLAS structure in miniature. Operands are copied into
 * wasm memory as they lie (one memcpy of the range a view covers, so a transposed or sliced operand keeps
 * its strides and costs no gather); A is then read through its own strides, B by rows of 8 contiguous
 * columns (packed into K × 8 panels only when its rows are not contiguous or N is not a multiple of 8). A
 * 4 × 8 micro-kernel keeps its block of C in eight f32x4 registers while it walks k: per k two vector
 * loads of B, four splatted loads of A, eight multiplies and eight adds. Blocking: k in slices of KC (a
 * slice of B's panel stays in L1), rows in blocks of MC (MC × KC floats of A stay in L2).
 *
 * Plain JS loops reach ~0.6–1 GFLOP/s here and gpu.js's webasm matmul ~0.9 (its README); this kernel
 * 25–35 on the same machine (bench/RESULTS.md). wasm SIMD has no fused multiply-add without the
 * relaxed-SIMD proposal, so each product rounds to float32 before it is added, and each output adds its
 * products in ascending k in float32: eager calls and compiled plans, which both run this kernel, get the
 * same bits.
 *
 * float64 runs the same structure with two lanes: 4-column panels (a panel row is 32 bytes in both types, so
 * the blocked loop is one), f64x2 multiplies and adds, and each output adds its products in ascending k from
 * zero, as the plain loops in ../reduce.ts did: the same bits as before, at ~10× their speed (a float64 Burgers
 * evaluation spent 60 % of its time in those loops).
 */

/** The element types the kernel multiplies. */
export type GemmType = 'float32' | 'float64';
/** Bytes of an element, and columns of a panel (32 bytes: two v128 of B per k). */
const ELEM: Record<GemmType, number> = { float32: 4, float64: 8 };
const PANEL: Record<GemmType, number> = { float32: 8, float64: 4 };
export const gemmPanel = (dtype: GemmType) => PANEL[dtype];
export const gemmElem = (dtype: GemmType) => ELEM[dtype];

/**
 * Rows of C a micro-kernel call keeps in registers. 4 × 8 needs 8 accumulators + 2 of B + 1 of A; 6 × 8
 * (15 of x64's 16 xmm registers) measured 30% slower here: V8 spills.
 */
const ROWS = 4;
const KC = 256;
const MC = 16 * ROWS;

/** The operands of the micro-kernel and gemvFunc, in bytes: A at a (si between rows, sj between k), B at b (ldb between k), C at c (ldc between rows). */
const OPERANDS: [string, ValType][] = [
  ['a', 'i32'],
  ['si', 'i32'],
  ['sj', 'i32'],
  ['b', 'i32'],
  ['ldb', 'i32'],
  ['c', 'i32'],
  ['ldc', 'i32'],
];

/**
 * C[rows × P] (+)= A[rows × kc] · B[kc × P] for one panel of P columns (8 float32, 4 float64). A is read
 * through its own strides (in bytes: si between rows, sj between k), so a row-major, transposed or broadcast
 * A needs no packing; B's P columns must be contiguous (ldb bytes between k). `first` starts from zero
 * instead of loading C.
 */
function microKernel(dtype: GemmType, fma: boolean): Func {
  const f64 = dtype === 'float64';
  const f = new Func('tile', [
    ...OPERANDS,
    ['rows', 'i32'], // a multiple of ROWS
    ['kc', 'i32'], // > 0
    ['first', 'i32'],
  ]);
  const R = [...Array(ROWS).keys()];
  for (const n of ['i', 'bp', 'left', ...R.map((r) => `a${r}`), ...R.map((r) => `c${r}`)]) f.local(n, 'i32');
  for (const n of [...R.flatMap((r) => [`s${r}0`, `s${r}1`]), 'b0', 'b1', 't']) f.local(n, 'v128');

  f.i32(0).set('i');
  f.block().loop();
  f.get('i').get('rows').geU().brIf(1);
  f.get('a').get('i').get('si').mul().add().set('a0');
  f.get('c').get('i').get('ldc').mul().add().set('c0');
  for (let r = 1; r < ROWS; r++) {
    f.get(`a${r - 1}`)
      .get('si')
      .add()
      .set(`a${r}`);
    f.get(`c${r - 1}`)
      .get('ldc')
      .add()
      .set(`c${r}`);
  }
  f.get('first').if();
  for (const r of R) {
    f.v128Zero().set(`s${r}0`);
    f.v128Zero().set(`s${r}1`);
  }
  f.else();
  for (const r of R) {
    f.get(`c${r}`).v128Load(0).set(`s${r}0`);
    f.get(`c${r}`).v128Load(16).set(`s${r}1`);
  }
  f.end();
  f.get('b').set('bp');
  f.get('kc').set('left');
  f.loop();
  f.get('bp').v128Load(0).set('b0');
  f.get('bp').v128Load(16).set('b1');
  for (const r of R) {
    if (f64) f.get(`a${r}`).load64Splat(0).set('t');
    else f.get(`a${r}`).load32Splat(0).set('t');
    if (f64) {
      f.get(`s${r}0`).get('t').get('b0').v(SIMD.f64x2Mul).v(SIMD.f64x2Add).set(`s${r}0`);
      f.get(`s${r}1`).get('t').get('b1').v(SIMD.f64x2Mul).v(SIMD.f64x2Add).set(`s${r}1`);
    } else if (fma) {
      f.get('t').get('b0').get(`s${r}0`).f32x4RelaxedMadd().set(`s${r}0`);
      f.get('t').get('b1').get(`s${r}1`).f32x4RelaxedMadd().set(`s${r}1`);
    } else {
      f.get(`s${r}0`).get('t').get('b0').f32x4Mul().f32x4Add().set(`s${r}0`);
      f.get(`s${r}1`).get('t').get('b1').f32x4Mul().f32x4Add().set(`s${r}1`);
    }
    f.get(`a${r}`).get('sj').add().set(`a${r}`);
  }
  f.get('bp').get('ldb').add().set('bp');
  f.get('left').i32(1).sub().tee('left').brIf(0).end();
  for (const r of R) {
    f.get(`c${r}`).get(`s${r}0`).v128Store(0);
    f.get(`c${r}`).get(`s${r}1`).v128Store(16);
  }
  f.get('i').i32(ROWS).add().set('i');
  f.br(0).end().end();
  return f;
}

/**
 * C(i, 0) = sum_k A(i, k) · B(k, 0) for i < M: a product with one column, rows as lanes (4 float32 or 2 float64 a
 * vector), each output adding its products in ascending k from zero as the micro-kernel does, so the bits are
 * the same; the micro-kernel would compute a whole panel (8 or 4 columns) to keep one. A's rows load as
 * vectors where they are adjacent (A^T, a weight gradient's operand; 4 vectors at a time), else lane by lane;
 * the rows after the last whole vector one at a time, in lane 0. Everything in bytes; C(i, 0) at c + i ldc.
 */
function gemvFunc(dtype: GemmType): Func {
  const f64 = dtype === 'float64';
  const E = ELEM[dtype] as 4 | 8;
  const L = 16 / E;
  const V = 4;
  const f = new Func('gemv', [...OPERANDS, ['M', 'i32'], ['K', 'i32']]);
  const lanes = [...Array(L).keys()];
  for (const n of ['i', 'ap', 'bp', 'cp', 'left', ...lanes.map((r) => `p${r}`)]) f.local(n, 'i32');
  for (const n of ['x', 'g', ...[...Array(V).keys()].map((v) => `s${v}`)]) f.local(n, 'v128');
  /** acc += (vector on the stack) · x */
  const mulAddInto = (acc: string) => {
    f.get('x');
    if (f64) f.v(SIMD.f64x2Mul);
    else f.f32x4Mul();
    f.get(acc);
    if (f64) f.v(SIMD.f64x2Add);
    else f.f32x4Add();
    f.set(acc);
  };
  /** the k loop: x = B(k, 0) in every lane, then `body`, then the row pointers and B's step to k + 1 */
  const kLoop = (body: () => void, ptrs: string[]) => {
    f.get('b').set('bp');
    f.get('K').set('left');
    f.block().loop();
    f.get('left').eqz().brIf(1);
    if (f64) f.get('bp').load64Splat(0).set('x');
    else f.get('bp').load32Splat(0).set('x');
    body();
    for (const p of ptrs) f.get(p).get('sj').add().set(p);
    f.get('bp').get('ldb').add().set('bp');
    f.get('left').i32(1).sub().set('left');
    f.br(0).end().end();
  };
  /** rows from i, `count` a time, while a whole group fits below M */
  const rows = (count: number, group: () => void) => {
    f.block().loop();
    f.get('M').get('i').i32(count).add().ltU().brIf(1);
    f.get('a').get('i').get('si').mul().add().set('ap');
    f.get('c').get('i').get('ldc').mul().add().set('cp');
    group();
    f.get('i').i32(count).add().set('i');
    f.br(0).end().end();
  };
  /** the first `n` lanes of acc to C, from cp on */
  const store = (acc: string, n: number) => {
    for (let l = 0; l < n; l++) {
      f.get('cp').get(acc).storeLane(E, l, 0);
      f.get('cp').get('ldc').add().set('cp');
    }
  };
  f.i32(0).set('i');
  f.get('si').i32(E).sub().eqz().if();
  // adjacent rows: V vectors at a time, then one
  for (const group of [V, 1])
    rows(group * L, () => {
      for (let v = 0; v < group; v++) f.v128Zero().set(`s${v}`);
      kLoop(() => {
        for (let v = 0; v < group; v++) {
          f.get('ap').v128Load(16 * v);
          mulAddInto(`s${v}`);
        }
      }, ['ap']);
      for (let v = 0; v < group; v++) store(`s${v}`, L);
    });
  f.else();
  // rows apart: a vector's lanes gathered one by one
  rows(L, () => {
    for (const r of lanes) {
      f.get('ap');
      for (let t = 0; t < r; t++) f.get('si').add();
      f.set(`p${r}`);
    }
    f.v128Zero().set('s0');
    kLoop(
      () => {
        f.get('p0').loadZero(E, 0).set('g');
        for (const r of lanes.slice(1)) f.get(`p${r}`).get('g').loadLane(E, r, 0).set('g');
        f.get('g');
        mulAddInto('s0');
      },
      lanes.map((r) => `p${r}`),
    );
    store('s0', L);
  });
  f.end();
  // the last rows, one at a time in lane 0
  rows(1, () => {
    f.v128Zero().set('s0');
    kLoop(() => {
      f.get('ap').loadZero(E, 0);
      mulAddInto('s0');
    }, ['ap']);
    store('s0', 1);
  });
  return f;
}

/**
 * The blocked loop over micro-kernel calls, in wasm so that a worker thread runs the very same code on its
 * share (./gemm-threads.ts). Everything in bytes: A(i, k) at a + i si + k sj; B(k, Pp + j) at
 * b + p ps + k ldb + e j; C(i, j) at c + i ldc + e j (e an element's bytes, P a panel's columns: P e = 32 in
 * both types). It covers rows r0 .. r1 (multiples of ROWS) and panels p0 .. p1 of C; k in slices of KC, each
 * output adding its products in ascending k whatever share of C a call covers, so splitting C between threads
 * gives the same bits as one call over all of it.
 */
function blockedLoop(): Func {
  const f = new Func('gemm', [
    ['a', 'i32'],
    ['si', 'i32'],
    ['sj', 'i32'],
    ['b', 'i32'],
    ['ldb', 'i32'],
    ['ps', 'i32'],
    ['c', 'i32'],
    ['ldc', 'i32'],
    ['r0', 'i32'],
    ['r1', 'i32'],
    ['p0', 'i32'],
    ['p1', 'i32'],
    ['K', 'i32'],
  ]);
  for (const n of ['k0', 'kc', 'first', 'i0', 'rows', 'ap', 'p']) f.local(n, 'i32');
  const min = (x: () => void, y: () => void) => {
    x();
    y();
    x();
    y();
    f.ltS().select();
  };
  f.i32(0).set('k0');
  f.loop();
  min(
    () => f.i32(KC),
    () => f.get('K').get('k0').sub(),
  );
  f.set('kc');
  f.get('k0').eqz().set('first');
  f.get('r0').set('i0');
  f.loop();
  min(
    () => f.i32(MC),
    () => f.get('r1').get('i0').sub(),
  );
  f.set('rows');
  f.get('a').get('i0').get('si').mul().add().get('k0').get('sj').mul().add().set('ap');
  f.get('p0').set('p');
  f.loop();
  f.get('ap').get('si').get('sj');
  f.get('b').get('p').get('ps').mul().add().get('k0').get('ldb').mul().add();
  f.get('ldb');
  f.get('c').get('i0').get('ldc').mul().add().get('p').i32(32).mul().add();
  f.get('ldc').get('rows').get('kc').get('first').call(0);
  f.get('p').i32(1).add().tee('p').get('p1').ltS().brIf(0);
  f.end();
  f.get('i0').i32(MC).add().tee('i0').get('r1').ltS().brIf(0);
  f.end();
  f.get('k0').i32(KC).add().tee('k0').get('K').ltS().brIf(0);
  f.end();
  return f;
}

/** The wasm blocked loop (blockedLoop), arguments in bytes. */
export type GemmFn = (
  a: number,
  si: number,
  sj: number,
  b: number,
  ldb: number,
  ps: number,
  c: number,
  ldc: number,
  r0: number,
  r1: number,
  p0: number,
  p1: number,
  K: number,
) => void;

/** gemvFunc's product with one column, arguments in bytes (M and K in elements). */
export type GemvFn = (
  a: number,
  si: number,
  sj: number,
  b: number,
  ldb: number,
  c: number,
  ldc: number,
  M: number,
  K: number,
) => void;

/** The kernel instantiated on one memory: what runTiles calls, and what a worker needs to run it too. */
export interface GemmKernel {
  gemm: GemmFn;
  gemv: GemvFn;
  memory: WebAssembly.Memory;
  module: WebAssembly.Module;
  dtype: GemmType;
  /** columns of a panel (PANEL) */
  panelCols: number;
}

/** The eager path's memory and a kernel per type on it. */
interface Engine {
  memory: WebAssembly.Memory;
  kernels: Partial<Record<GemmType, GemmKernel>>;
  f32: Float32Array;
  f64: Float64Array;
}

// (tried: a variant unrolled 4× in k with immediate offsets, for a k-contiguous A and packed B; on the same
// packed B it ran at about half this loop's speed here, so it is not kept)
const modules = new Map<string, WebAssembly.Module>();

/**
 * Whether the micro-kernel multiplies and adds with relaxed SIMD's f32x4.relaxed_madd: only where the
 * engine validates it (Chromium from 114; Node 20 only with --experimental-wasm-relaxed-simd) and only when
 * asked (NABLA_RELAXED_SIMD=1): off by default. Fused or not is the hardware's choice, so products differ
 * in their last bits from the default kernel's and between machines; eager calls, compiled plans and the
 * worker all run the one kernel chosen here, once per thread, so they still agree bit for bit.
 */
export const gemmFma: { wanted: boolean; on?: boolean } = {
  wanted: typeof process !== 'undefined' && process.env?.NABLA_RELAXED_SIMD === '1',
};

/** Whether this engine validates f32x4.relaxed_madd (a one-instruction module). */
export function relaxedSimdValidates(): boolean {
  const f = new Func('madd', [
    ['a', 'v128'],
    ['b', 'v128'],
    ['c', 'v128'],
  ]);
  f.get('a').get('b').get('c').f32x4RelaxedMadd().set('a');
  try {
    return WebAssembly.validate(module([f]));
  } catch {
    return false;
  }
}
const isShared = (mem: WebAssembly.Memory) =>
  typeof SharedArrayBuffer !== 'undefined' && mem.buffer instanceof SharedArrayBuffer;

/** The kernel on `mem` (a module importing a shared memory where `mem` is one); throws without SIMD. */
function kernelOn(mem: WebAssembly.Memory, dtype: GemmType): GemmKernel {
  const shared = isShared(mem);
  gemmFma.on ??= gemmFma.wanted && relaxedSimdValidates();
  const key = `${dtype} ${shared}`;
  let mod = modules.get(key);
  if (!mod) {
    mod = new WebAssembly.Module(module([microKernel(dtype, gemmFma.on), blockedLoop(), gemvFunc(dtype)], { shared }));
    modules.set(key, mod);
  }
  const inst = new WebAssembly.Instance(mod, { env: { mem } });
  const gemv = inst.exports.gemv as GemvFn;
  return { gemm: inst.exports.gemm as GemmFn, gemv, memory: mem, module: mod, dtype, panelCols: PANEL[dtype] };
}

let engine: Engine | null | undefined;

/**
 * The eager path's kernel and memory, or null where WebAssembly SIMD is unavailable (then callers use
 * plain loops). Its memory is shared where a second thread may help (gemmMemory), so that products big
 * enough are split with the worker.
 */
function getEngine(): Engine | null {
  if (engine !== undefined) return engine;
  try {
    const memory = gemmMemory(64);
    const kernel = kernelOn(memory, 'float32');
    engine = {
      memory,
      kernels: { float32: kernel },
      f32: new Float32Array(memory.buffer),
      f64: new Float64Array(memory.buffer),
    };
  } catch {
    engine = null;
  }
  return engine;
}

export const wasmGemmAvailable = () => getEngine() !== null;

/**
 * Whether the js backend's matmul runs this kernel for an M × K @ K × N product: float32 or float64 from
 * 1,024 multiply-adds. Below that the copies into wasm memory cost more than the plain loops save; above it
 * the kernel wins even at K = 1 or N = 1 (4096 × 2 @ 2 × 64: ~0.1 ms against ~2 ms in the loops).
 */
export const wasmGemmApplies = (dtype: string, M: number, N: number, K: number): dtype is GemmType =>
  (dtype === 'float32' || dtype === 'float64') && K >= 1 && M * N * K >= 1024 && wasmGemmAvailable();

/** The engine's memory at least `bytes` long, viewed in the type of `dtype`. */
function ensure(e: Engine, bytes: number, dtype: GemmType): Float32Array | Float64Array {
  const mem = e.memory;
  if (mem.buffer.byteLength < bytes) mem.grow(Math.ceil((bytes - mem.buffer.byteLength) / 65536));
  // (a shared memory grown by another call keeps its old buffer object here: view the current one)
  if (e.f32.buffer !== mem.buffer) {
    e.f32 = new Float32Array(mem.buffer);
    e.f64 = new Float64Array(mem.buffer);
  }
  return dtype === 'float64' ? e.f64 : e.f32;
}

/** A strided matrix operand: element (i, j) is data[off + i * si + j * sj] (strides ≥ 0). */
export interface Mat {
  data: Float32Array | Float64Array;
  off: number;
  si: number;
  sj: number;
}

/** Where an operand lands in wasm memory: element (i, j) at base + i * si + j * sj (floats). */
interface Placed {
  base: number;
  si: number;
  sj: number;
  end: number;
}

/**
 * Copies the storage range a view reaches in one memcpy, keeping its strides, when that range is not much
 * larger than the view (a transpose, a slice of rows); otherwise (a column of a big matrix) gathers it
 * row-major.
 */
function place(mem: Float32Array | Float64Array, at: number, m: Mat, rows: number, cols: number): Placed {
  const span = (rows - 1) * m.si + (cols - 1) * m.sj + 1;
  if (span <= 2 * rows * cols + 64) {
    mem.set(m.data.subarray(m.off, m.off + span), at);
    return { base: at, si: m.si, sj: m.sj, end: at + span };
  }
  const d = m.data;
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) mem[at + i * cols + j] = d[m.off + i * m.si + j * m.sj];
  return { base: at, si: cols, sj: 1, end: at + rows * cols };
}

/**
 * res[ro + i * N + j] = sum_k A(i, k) * B(k, j) for an M × K and a K × N operand, all float32 or all float64
 * (the type of `res`); returns false (doing nothing) where WebAssembly SIMD is unavailable. The eager path's
 * products split with the worker from `splitFrom` multiply-adds (SPLIT_FROM_EAGER: ./gemm-threads.ts says why).
 */
export function wasmGemm(
  A: Mat,
  B: Mat,
  M: number,
  N: number,
  K: number,
  res: Float32Array | Float64Array,
  ro: number,
  splitFrom = SPLIT_FROM_EAGER,
): boolean {
  const e = getEngine();
  if (!e) return false;
  const dtype: GemmType = res instanceof Float64Array ? 'float64' : 'float32';
  const kernel = (e.kernels[dtype] ??= kernelOn(e.memory, dtype));
  const P = PANEL[dtype];
  const Mp = Math.ceil(M / ROWS) * ROWS;
  const panels = Math.ceil(N / P);
  const Np = panels * P;
  // A as it lies (rows past M read whatever follows and fill C's padding rows, which are dropped); slack
  // after it keeps those reads inside memory
  const slackA = (ROWS - 1) * A.si + 8;
  const aSpan = (M - 1) * A.si + (K - 1) * A.sj + 1;
  const bAt = Math.ceil((Math.min(aSpan, 2 * M * K + 64 + M * K) + slackA) / 4) * 4 + 16;
  const bNeed = Math.max((K - 1) * B.si + (N - 1) * B.sj + 1, Np * K);
  const cAt = bAt + Math.ceil(Math.max(bNeed, 2 * K * N + 64) / 4) * 4 + 16;
  let mem = ensure(e, (cAt + Mp * Np + 16) * ELEM[dtype], dtype);
  const a = place(mem, 0, A, M, K);
  // B in place when its rows are contiguous and whole panels; else packed into panels of K × P
  let bBase: number;
  let ldb: number;
  let panelStride: number;
  if (N === 1) {
    // one column (runTiles' gemv reads it down its stride): gathered contiguous
    for (let k = 0; k < K; k++) mem[bAt + k] = B.data[B.off + k * B.si];
    [bBase, ldb, panelStride] = [bAt, 1, K];
  } else if (B.sj === 1 && N % P === 0 && (K - 1) * B.si + N <= 2 * K * N + 64) {
    mem.set(B.data.subarray(B.off, B.off + (K - 1) * B.si + N), bAt);
    [bBase, ldb, panelStride] = [bAt, B.si, P];
  } else {
    packB(mem, bAt, B, N, K, P);
    [bBase, ldb, panelStride] = [bAt, P, K * P];
  }
  mem = ensure(e, 0, dtype);
  // C's rows Np apart (one column: gemv writes its M values one after another)
  const ldc = N === 1 ? 1 : Np;
  runTiles(kernel, a.base, a.si, a.sj, bBase, ldb, panelStride, cAt, ldc, M, N, K, splitFrom);
  if (ldc === N) res.set(mem.subarray(cAt, cAt + M * N), ro);
  else
    for (let i = 0; i < M; i++) {
      const src = cAt + i * Np;
      const dst = ro + i * N;
      for (let j = 0; j < N; j++) res[dst + j] = mem[src + j];
    }
  return true;
}

/**
 * C = A · B with everything in elements (of the kernel's type) of its memory: A(i, k) at aBase + i asi + k asj;
 * B(k, Pp + j) at bBase + p panelStride + k ldb + j; C(i, j) at cBase + i ldc + j. C gets rows up to the
 * next multiple of 4 past M (the rows past M are garbage), but a product with one column (N = 1: gemvFunc,
 * never split) its M rows alone. A product big enough is split with a worker
 * thread where the memory is shared (./gemm-threads.ts), from `splitFrom` multiply-adds (SPLIT_FROM unless
 * told: compiled plans); every way of running it adds each output's products in the same order, whatever the
 * layout or the split.
 */
export function runTiles(
  k: GemmKernel,
  aBase: number,
  asi: number,
  asj: number,
  bBase: number,
  ldb: number,
  panelStride: number,
  cBase: number,
  ldc: number,
  M: number,
  N: number,
  K: number,
  splitFrom?: number,
): void {
  const Mp = Math.ceil(M / ROWS) * ROWS;
  const panels = Math.ceil(N / k.panelCols);
  const e = ELEM[k.dtype];
  if (N === 1) {
    // one column: rows as lanes (gemvFunc), not a panel of P columns to keep one of
    k.gemv(aBase * e, asi * e, asj * e, bBase * e, ldb * e, cBase * e, ldc * e, M, K);
    return;
  }
  const args = [aBase * e, asi * e, asj * e, bBase * e, ldb * e, panelStride * e, cBase * e, ldc * e] as const;
  if (splitGemm(k, args, Mp / ROWS, panels, K, ROWS, splitFrom)) return;
  k.gemm(...args, 0, Mp, 0, panels, K);
}

/** The kernel instantiated on another memory (a compiled plan's, runtime/compile), or null without SIMD. */
export function tileOn(mem: WebAssembly.Memory, dtype: GemmType): GemmKernel | null {
  if (!getEngine()) return null;
  return kernelOn(mem, dtype);
}

export const GEMM_ROWS = ROWS;

/** B into column panels of P: panel p holds B(k, Pp .. Pp+P-1) for k = 0..K-1, zero past column N. */
export function packB(mem: Float32Array | Float64Array, at: number, B: Mat, N: number, K: number, P: number): void {
  const b = B.data;
  const { off, si, sj } = B;
  const panels = Math.ceil(N / P);
  for (let p = 0; p < panels; p++) {
    const base = at + p * K * P;
    const j0 = p * P;
    const w = Math.min(P, N - j0);
    for (let k = 0; k < K; k++) {
      const src = off + k * si + j0 * sj;
      const dst = base + k * P;
      for (let j = 0; j < w; j++) mem[dst + j] = b[src + j * sj];
      for (let j = w; j < P; j++) mem[dst + j] = 0;
    }
  }
}
