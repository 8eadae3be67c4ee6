import { fnsOfArity } from '../../../ops/registry';
import {
  TANH64_CLAMP,
  TANH64_EXP,
  TANH64_INV_LN2,
  TANH64_LN2_HI,
  TANH64_LN2_LO,
  TANH64_SMALL,
  TANH64_SPLIT,
} from '../../../ops/registry/tanh64';
import { TANH32_CONSTANTS } from '../../../ops/registry/helpers';
import { Func, SIMD } from '../wasm/asm';
import { lit } from './fuse';

/**
 * Fused elementwise loops as WebAssembly SIMD, four float32 lanes at a time, over the plan's buffers in one
 * WebAssembly.Memory (./host-plan.ts lays them out; addresses are constants of the generated code). Only ops whose
 * wasm form gives exactly the js kernel's float32 result are taken: + − × ÷ √, neg, abs, min, max, relu and
 * copy in f32 arithmetic (each correctly rounded, as the js kernel's double result rounded to float32 is),
 * tanh_grad as its three f32 operations (its js form rounds after each), mul_neg2 as its product and doubling;
 * tanh as the same f32 operations as ops/registry/helpers.ts's tanh32 (its js form rounds after each). So a
 * fused loop in wasm, a fused loop in JS and the eager kernels agree bit for bit.
 *
 * float64 loops run two lanes at a time with the f64x2 forms of the same ops, each the IEEE double operation
 * JavaScript performs, and tanh as ops/registry/tanh64.ts computes it (the same operations in the same order).
 */
export const WASM_UNARY = new Set(
  fnsOfArity(1)
    .filter((e) => e.wasm)
    .map((e) => e.name),
);
export const WASM_BINARY = new Set(
  fnsOfArity(2)
    .filter((e) => e.wasm)
    .map((e) => e.name),
);

/** The SIMD forms below, by fn; registry entries marked `wasm` must have one (checked at load). */
const SIMD_BINARY: Record<string, number> = {
  add: SIMD.f32x4Add,
  sub: SIMD.f32x4Sub,
  mul: SIMD.f32x4Mul,
  div: SIMD.f32x4Div,
  maximum: SIMD.f32x4Max,
  minimum: SIMD.f32x4Min,
};
const SIMD_UNARY: Record<string, number> = { neg: SIMD.f32x4Neg, abs: SIMD.f32x4Abs, sqrt: SIMD.f32x4Sqrt };
const SIMD_BINARY_F64: Record<string, number> = {
  add: SIMD.f64x2Add,
  sub: SIMD.f64x2Sub,
  mul: SIMD.f64x2Mul,
  div: SIMD.f64x2Div,
  maximum: SIMD.f64x2Max,
  minimum: SIMD.f64x2Min,
};
const SIMD_UNARY_F64: Record<string, number> = { neg: SIMD.f64x2Neg, abs: SIMD.f64x2Abs, sqrt: SIMD.f64x2Sqrt };
const SPECIAL_UNARY = new Set(['tanh', 'relu']);
/**
 * tanh_grad, a · (1 − b·b): three operations, each rounded in the lanes' type; mul_neg2, −2 · (a·b): the product,
 * then an exact doubling (emitOp).
 */
const SPECIAL_BINARY = new Set(['tanh_grad', 'mul_neg2']);

/** The element types a fused wasm loop computes in, and the ops each has an exact form for. */
export type WType = 'float32' | 'float64';
export const wasmOpOk = (op: string, dtype: WType): boolean => {
  const [kind, fn] = op.split(':');
  if (kind === 'copy') return true;
  if (dtype === 'float32') return kind === 'binary' ? WASM_BINARY.has(fn) : WASM_UNARY.has(fn);
  return kind === 'binary'
    ? (fn in SIMD_BINARY_F64 || SPECIAL_BINARY.has(fn)) && WASM_BINARY.has(fn)
    : fn === 'relu' || fn === 'tanh' || fn in SIMD_UNARY_F64;
};
for (const fn of WASM_UNARY)
  if (!(fn in SIMD_UNARY) && !SPECIAL_UNARY.has(fn))
    throw new Error(`registry entry ${fn} claims a wasm form that backends/js/plan/wasm.ts lacks`);
for (const fn of WASM_BINARY)
  if (!(fn in SIMD_BINARY) && !SPECIAL_BINARY.has(fn))
    throw new Error(`registry entry ${fn} claims a wasm form that backends/js/plan/wasm.ts lacks`);

/** An operand of a member: a value of the group, a constant, or a load with its pattern. */
export type WOperand =
  | { k: 'reg'; slot: number }
  | { k: 'const'; value: number }
  | { k: 'scalar'; addr: number }
  | { k: 'flat'; addr: number }
  | { k: 'row'; addr: number; sr: number } // element (r, c) at addr + e (r sr + c), e the element size
  | { k: 'col'; addr: number; sr: number }; // element (r, c) at addr + e r sr

export interface WMember {
  op: string; // unary:fn, binary:fn, copy
  ins: WOperand[];
  out: number; // slot
  store: number | null; // byte address to store at, or null (a register only)
}

export interface WGroup {
  name: string;
  R: number;
  C: number;
  members: WMember[];
  /** float32 (four lanes, the default) or float64 (two) */
  dtype?: WType;
}

const f32Bytes = (v: number) => {
  const b = new Uint8Array(16);
  const f = new Float32Array(b.buffer);
  f.fill(v);
  return b;
};
const f64Bytes = (v: number) => {
  const b = new Uint8Array(16);
  new Float64Array(b.buffer).fill(v);
  return b;
};

/** The v128 scratch locals emitOp uses (t0, t1, y, y2, p, q); a function calling emitOp declares them once. */
export function declareScratch(f: Func): void {
  for (const name of ['t0', 't1', 'y', 'y2', 'p', 'q']) f.local(name, 'v128');
}

const SIGN64 = (() => {
  const b = new Uint8Array(16);
  new BigUint64Array(b.buffer).fill(1n << 63n);
  return b;
})();
const EXP_BIAS64 = (() => {
  const b = new Uint8Array(16);
  new BigInt64Array(b.buffer).fill(1023n);
  return b;
})();

/**
 * ops/registry/tanh64.ts's tanh of the two lanes on the stack (clobbers t0, t1, y, y2, p, q), leaving the result:
 * both branches computed on |x|, the small one chosen where |x| < 0.625, the sign of x put back by its bit.
 */
function emitTanh64(f: Func): void {
  const c = (v: number) => f.v128Const(f64Bytes(v));
  f.set('t0'); // x
  f.get('t0').v(SIMD.f64x2Abs).set('y'); // a
  // small: a + a s P(s), s = a²
  f.get('y').get('y').v(SIMD.f64x2Mul).set('y2');
  horner64(f, TANH64_SMALL, 'y2');
  f.set('p');
  f.get('y');
  f.get('y').get('y2').v(SIMD.f64x2Mul).get('p').v(SIMD.f64x2Mul);
  f.v(SIMD.f64x2Add).set('p');
  // large: 1 − 2 / (2^k e^r + 1)
  c(2).get('y').v(SIMD.f64x2Mul);
  c(TANH64_CLAMP).v(SIMD.f64x2Min).set('y2'); // y
  f.get('y2');
  c(TANH64_INV_LN2).v(SIMD.f64x2Mul);
  c(0.5).v(SIMD.f64x2Add).v(SIMD.f64x2Floor).set('q'); // k
  f.get('y2').get('q');
  c(TANH64_LN2_HI).v(SIMD.f64x2Mul).v(SIMD.f64x2Sub);
  f.get('q');
  c(TANH64_LN2_LO).v(SIMD.f64x2Mul).v(SIMD.f64x2Sub).set('t1'); // r
  horner64(f, TANH64_EXP, 't1');
  // 2^k from its bits: (k + 1023) << 52
  f.get('q').v(SIMD.i32x4TruncSatF64x2SZero).v(SIMD.i64x2ExtendLowI32x4S);
  f.v128Const(EXP_BIAS64).v(SIMD.i64x2Add).i32(52).v(SIMD.i64x2Shl);
  f.v(SIMD.f64x2Mul).set('q'); // e^y
  c(1);
  c(2).get('q');
  c(1).v(SIMD.f64x2Add).v(SIMD.f64x2Div).v(SIMD.f64x2Sub).set('t1');
  // small where a < 0.625 (NaN: large, which is NaN), then x's sign
  f.get('p').get('t1').get('y');
  c(TANH64_SPLIT).v(SIMD.f64x2Lt).v(SIMD.v128Bitselect);
  f.get('t0').v128Const(SIGN64).v(SIMD.v128And).v(SIMD.v128Or);
}

/** Horner's rule on the f64x2 in local `x`, ((c0 x + c1) x + c2) ..., in JS's order, left on the stack. */
function horner64(f: Func, coeffs: readonly number[], x: string): void {
  f.v128Const(f64Bytes(coeffs[0]));
  for (let i = 1; i < coeffs.length; i++) f.get(x).v(SIMD.f64x2Mul).v128Const(f64Bytes(coeffs[i])).v(SIMD.f64x2Add);
}

/** Horner's rule on the f32x4 in local `x`, ((c0 x + c1) x + c2) ..., each operation rounded, left on the stack. */
function horner32(f: Func, coeffs: readonly number[], x: string): void {
  f.v128Const(f32Bytes(coeffs[0]));
  for (let i = 1; i < coeffs.length; i++) f.get(x).v(SIMD.f32x4Mul).v128Const(f32Bytes(coeffs[i])).v(SIMD.f32x4Add);
}

/**
 * ops/registry/helpers.ts's tanh32 of the four float32 lanes on the stack (clobbers t0, y, y2, p, q), leaving
 * the result: the clamped rational p/q, or x itself where |x| < 0.0004 (NaN: p/q, which is NaN).
 */
function emitTanh32(f: Func): void {
  const { C, TINY, A, B } = TANH32_CONSTANTS;
  const c = (v: number) => f.v128Const(f32Bytes(v));
  f.set('t0'); // x
  c(-C);
  c(C).get('t0').v(SIMD.f32x4Min);
  f.v(SIMD.f32x4Max).set('y');
  f.get('y').get('y').v(SIMD.f32x4Mul).set('y2');
  horner32(f, A, 'y2');
  f.set('p');
  f.get('y').get('p').v(SIMD.f32x4Mul).set('p');
  horner32(f, B, 'y2');
  f.set('q');
  f.get('t0');
  f.get('p').get('q').v(SIMD.f32x4Div);
  f.get('t0').v(SIMD.f32x4Abs);
  c(TINY).v(SIMD.f32x4Lt).v(SIMD.v128Bitselect);
}

/** Each element type's instructions for emitOp. */
const LANE_OPS: Record<
  WType,
  {
    binary: Record<string, number>;
    unary: Record<string, number>;
    zero: Uint8Array;
    pmax: number;
    tanh: (f: Func) => void;
    one: Uint8Array;
    minusTwo: Uint8Array;
  }
> = {
  float32: {
    binary: SIMD_BINARY,
    unary: SIMD_UNARY,
    zero: f32Bytes(0),
    pmax: SIMD.f32x4Pmax,
    tanh: emitTanh32,
    one: f32Bytes(1),
    minusTwo: f32Bytes(-2),
  },
  float64: {
    binary: SIMD_BINARY_F64,
    unary: SIMD_UNARY_F64,
    zero: f64Bytes(0),
    pmax: SIMD.f64x2Pmax,
    tanh: emitTanh64,
    one: f64Bytes(1),
    minusTwo: f64Bytes(-2),
  },
};

/**
 * One member's computation as SIMD: `op` is unary:fn, binary:fn or copy; `load(i)` pushes input i's four
 * float32 lanes (or two float64 lanes). Leaves the results on the stack. The compiled plans' fused loops and
 * the eager kernels (../wasm/eager.ts) both emit through here, so they compute the same bits.
 */
export function emitOp(f: Func, op: string, load: (i: number) => void, dtype: WType = 'float32'): void {
  const t = LANE_OPS[dtype];
  const [kind, fn] = op.split(':');
  if (kind === 'copy') load(0);
  else if (fn === 'tanh_grad') {
    // a · (1 − b·b), in the js loops' order
    const [mul, sub] = [t.binary.mul, t.binary.sub];
    load(0);
    load(1);
    f.set('t0');
    f.v128Const(t.one).get('t0').get('t0').v(mul).v(sub).v(mul);
  } else if (fn === 'mul_neg2') {
    load(0);
    load(1);
    f.v(t.binary.mul).v128Const(t.minusTwo).v(t.binary.mul);
  } else if (kind === 'binary') {
    load(0);
    load(1);
    f.v(t.binary[fn]);
  } else if (fn === 'tanh') {
    load(0);
    t.tanh(f);
  } else if (fn === 'relu') {
    // x > 0 ? x : 0, NaN to 0: pmax(0, x) = 0 < x ? x : 0
    f.v128Const(t.zero);
    load(0);
    f.v(t.pmax);
  } else {
    load(0);
    f.v(t.unary[fn]);
  }
}

/** Lanes of a v128 and bytes of an element. */
const LANES: Record<WType, number> = { float32: 4, float64: 2 };
const BYTES: Record<WType, number> = { float32: 4, float64: 8 };

/** Whether the loop can run in wasm: C a whole number of vectors when rows matter (broadcast rows or columns). */
export function wasmShapeOk(g: Omit<WGroup, 'name'>): boolean {
  const twoD = g.members.some((m) => m.ins.some((o) => o.k === 'row' || o.k === 'col'));
  return !twoD || g.C % LANES[g.dtype ?? 'float32'] === 0;
}

export function groupFunc(g: WGroup): Func {
  const f = new Func(g.name, []);
  const dtype = g.dtype ?? 'float32';
  const [lanes, bytes] = [LANES[dtype], BYTES[dtype]];
  const splat = (addr: number) => (dtype === 'float64' ? f.load64Splat(addr) : f.load32Splat(addr));
  const twoD = g.members.some((m) => m.ins.some((o) => o.k === 'row' || o.k === 'col'));
  const n = g.R * g.C;
  f.local('o', 'i32').local('r', 'i32').local('c', 'i32');
  for (const m of g.members) f.local(`v${m.out}`, 'v128');
  declareScratch(f);
  // hoisted: scalars from memory, per-row column values, per-row bases of row operands
  const hoist = new Map<string, string>();
  let h = 0;
  const hoistName = (key: string) => {
    let name = hoist.get(key);
    if (!name) {
      name = `h${h++}`;
      hoist.set(key, name);
    }
    return name;
  };
  for (const m of g.members)
    for (const o of m.ins) {
      if (o.k === 'scalar') f.local(hoistName(`s${o.addr}`), 'v128');
      if (o.k === 'col') f.local(hoistName(`c${o.addr}|${o.sr}`), 'v128');
      if (o.k === 'row' && o.sr !== 0) f.local(hoistName(`r${o.addr}|${o.sr}`), 'i32');
    }
  for (const m of g.members)
    for (const o of m.ins)
      if (o.k === 'scalar') {
        f.i32(0);
        splat(o.addr).set(hoist.get(`s${o.addr}`)!);
      }

  const load = (o: WOperand) => {
    switch (o.k) {
      case 'reg':
        return void f.get(`v${o.slot}`);
      case 'const':
        return void f.v128Const(dtype === 'float64' ? f64Bytes(o.value) : f32Bytes(o.value));
      case 'scalar':
        return void f.get(hoist.get(`s${o.addr}`)!);
      case 'flat':
        return void f.get('o').v128Load(o.addr);
      case 'col':
        return void f.get(hoist.get(`c${o.addr}|${o.sr}`)!);
      case 'row':
        if (o.sr === 0) return void f.get('c').v128Load(o.addr);
        return void f
          .get(hoist.get(`r${o.addr}|${o.sr}`)!)
          .get('c')
          .add()
          .v128Load(o.addr);
    }
  };
  const body = () => {
    for (const m of g.members) {
      emitOp(f, m.op, (i) => load(m.ins[i]), dtype);
      f.set(`v${m.out}`);
      if (m.store !== null) f.get('o').get(`v${m.out}`).v128Store(m.store);
    }
    f.get('o').i32(16).add().set('o');
  };
  f.i32(0).set('o');
  if (!twoD) {
    f.loop();
    body();
    f.get('o')
      .i32(Math.ceil(n / lanes) * 16)
      .ltU()
      .brIf(0);
    f.end();
    return f;
  }
  f.i32(0).set('r');
  f.loop();
  for (const m of g.members)
    for (const o of m.ins) {
      if (o.k === 'col') {
        f.get('r')
          .i32(o.sr * bytes)
          .mul();
        splat(o.addr).set(hoist.get(`c${o.addr}|${o.sr}`)!);
      }
      if (o.k === 'row' && o.sr !== 0)
        f.get('r')
          .i32(o.sr * bytes)
          .mul()
          .set(hoist.get(`r${o.addr}|${o.sr}`)!);
    }
  f.i32(0).set('c');
  f.loop();
  body();
  f.get('c')
    .i32(16)
    .add()
    .tee('c')
    .i32(g.C * bytes)
    .ltU()
    .brIf(0);
  f.end();
  f.get('r').i32(1).add().tee('r').i32(g.R).ltU().brIf(0);
  f.end();
  return f;
}

/**
 * out[j] = sum over rows i of src[i C + j], float64 accumulators at `acc` (C values), rounded once (float32) or
 * not at all (float64: the values are added as they are, two at a time).
 */
export function columnSum(
  name: string,
  src: number,
  out: number,
  R: number,
  C: number,
  acc: number,
  dtype: WType = 'float32',
): Func {
  const f = new Func(name, []);
  declareColumnSum(f);
  vectorLoop(f, 'c', C * 8, () => f.get('c').v128Const(new Uint8Array(16)).v128Store(acc));
  addRows(f, src, R, C, acc, dtype);
  if (dtype === 'float64') vectorLoop(f, 'c', C * 8, () => f.get('c').get('c').v128Load(acc).v128Store(out));
  else {
    // round each sum to float32 once, four at a time
    f.i32(0).set('a');
    vectorLoop(f, 'c', C * 4, () => {
      f.get('c');
      f.get('a').v128Load(acc).v(SIMD.f32x4DemoteF64x2Zero);
      f.get('a')
        .v128Load(acc + 16)
        .v(SIMD.f32x4DemoteF64x2Zero);
      f.shuffle([0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23]);
      f.v128Store(out);
      f.get('a').i32(32).add().set('a');
    });
  }
  return f;
}

/**
 * acc[j] += src[i C + j] over rows i < R in order, into float64 accumulators the caller zeroes beforehand and
 * rounds afterwards: the eager kernel's sums, a chunk of rows at a time (../wasm/eager.ts runColumnSum).
 */
export function columnSumRows(name: string, src: number, R: number, C: number, acc: number, dtype: WType): Func {
  const f = new Func(name, []);
  declareColumnSum(f);
  addRows(f, src, R, C, acc, dtype);
  return f;
}

function declareColumnSum(f: Func): void {
  f.local('p', 'i32').local('i', 'i32').local('c', 'i32').local('a', 'i32').local('t', 'v128');
}

/** The rows in order: float32 values promoted four at a time into two f64x2 accumulators, float64 two at a time. */
function addRows(f: Func, src: number, R: number, C: number, acc: number, dtype: WType): void {
  f.i32(src).set('p');
  f.i32(0).set('i');
  f.loop();
  if (dtype === 'float64')
    vectorLoop(f, 'c', C * 8, () =>
      f.get('c').get('c').v128Load(acc).get('p').get('c').add().v128Load(0).v(SIMD.f64x2Add).v128Store(acc),
    );
  else {
    f.i32(0).set('a');
    vectorLoop(f, 'c', C * 4, () => {
      f.get('p').get('c').add().v128Load(0).set('t');
      f.get('a').get('a').v128Load(acc).get('t').v(SIMD.f64x2PromoteLowF32x4).v(SIMD.f64x2Add).v128Store(acc);
      f.get('a')
        .get('a')
        .v128Load(acc + 16)
        .get('t')
        .get('t')
        .shuffle([8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7])
        .v(SIMD.f64x2PromoteLowF32x4)
        .v(SIMD.f64x2Add)
        .v128Store(acc + 16);
      f.get('a').i32(32).add().set('a');
    });
  }
  f.get('p')
    .i32(C * BYTES[dtype])
    .add()
    .set('p');
  f.get('i').i32(1).add().tee('i').i32(R).ltU().brIf(0);
  f.end();
}

/** for (counter = 0; counter < limit; counter += 16) body(): a loop over the vectors of `limit` bytes. */
function vectorLoop(f: Func, counter: string, limit: number, body: () => void): void {
  f.i32(0).set(counter);
  f.loop();
  body();
  f.get(counter).i32(16).add().tee(counter).i32(limit).ltU().brIf(0);
  f.end();
}

export { lit };

/**
 * Rows of a matmul's product copied out of the scratch it was computed in (rows ldSrc elements apart, padded to
 * whole panels) into its buffer (rows N elements apart), 16 bytes at a time; `elem` is 4 (float32) or 8
 * (float64). Rows go in order, so what a row writes past its N elements lands in the next row and is
 * overwritten by it; the last row's lands in the buffer's padding. A JavaScript loop here cost ~45 % of a
 * Burgers L-BFGS evaluation (N = 20, 10,000 rows).
 */
export function copyRows(name: string, src: number, dst: number, R: number, N: number, ldSrc: number, elem = 4): Func {
  const f = new Func(name, []);
  f.local('s', 'i32').local('d', 'i32').local('i', 'i32').local('c', 'i32');
  f.i32(src).set('s');
  f.i32(dst).set('d');
  f.i32(0).set('i');
  f.loop();
  f.i32(0).set('c');
  f.loop();
  f.get('d').get('c').add();
  f.get('s').get('c').add().v128Load(0);
  f.v128Store(0);
  f.get('c')
    .i32(16)
    .add()
    .tee('c')
    .i32(Math.ceil((N * elem) / 16) * 16)
    .ltU()
    .brIf(0);
  f.end();
  f.get('s')
    .i32(ldSrc * elem)
    .add()
    .set('s');
  f.get('d')
    .i32(N * elem)
    .add()
    .set('d');
  f.get('i').i32(1).add().tee('i').i32(R).ltU().brIf(0);
  f.end();
  return f;
}

/**
 * B (K rows, `si` elements apart, contiguous columns, N a multiple of P/2) into the micro-kernel's column panels
 * of P = 32 / elem columns (8 float32, 4 float64): panel p holds B(k, Pp .. Pp+P-1) for k = 0..K-1, zero past
 * column N — ../wasm/gemm.ts packB's layout, 16 bytes at a time. The JavaScript packB cost ~12 % of a Burgers
 * L-BFGS evaluation (a weight gradient's B is 10,000 × 20).
 */
export function packPanels(name: string, src: number, si: number, dst: number, K: number, N: number, elem = 4): Func {
  const P = 32 / elem;
  const f = new Func(name, []);
  f.local('s', 'i32').local('d', 'i32').local('k', 'i32');
  for (let p = 0; p < Math.ceil(N / P); p++) {
    f.i32(src + 32 * p).set('s');
    f.i32(dst + 32 * p * K).set('d');
    f.i32(0).set('k');
    f.loop();
    f.get('d').get('s').v128Load(0).v128Store(0);
    f.get('d');
    if (P * p + P <= N) f.get('s').v128Load(16);
    else f.v128Zero();
    f.v128Store(16);
    f.get('s')
      .i32(si * elem)
      .add()
      .set('s');
    f.get('d').i32(32).add().set('d');
    f.get('k').i32(1).add().tee('k').i32(K).ltU().brIf(0);
    f.end();
  }
  return f;
}
