/**
 * A few dozen WebAssembly instructions and the module layout around them: enough to write the float32
 * matmul micro-kernel (./gemm.ts) as readable code here rather than ship an opaque .wasm file or pull a
 * toolchain into the build. Each method appends one instruction to a function body; `module()` wraps one or
 * more bodies with an imported memory and exports them. Opcodes are from the WebAssembly core and SIMD
 * (fixed-width, 128-bit) specifications.
 */
import { bug } from '../../../errors';
export type ValType = 'i32' | 'v128';
const TYPE: Record<ValType, number> = { i32: 0x7f, v128: 0x7b };

function uleb(n: number, out: number[]): void {
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
}

function sleb(n: number, out: number[]): void {
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return;
    }
    out.push(byte | 0x80);
  }
}

const vec = (items: number[][]): number[] => {
  const out: number[] = [];
  uleb(items.length, out);
  for (const it of items) out.push(...it);
  return out;
};

const section = (id: number, body: number[]): number[] => {
  const out = [id];
  uleb(body.length, out);
  return out.concat(body);
};

const str = (s: string): number[] => {
  const out: number[] = [];
  uleb(s.length, out);
  for (const ch of s) out.push(ch.charCodeAt(0));
  return out;
};

/** One function: parameters, locals by name, and its instruction bytes. */
export class Func {
  readonly code: number[] = [];
  private readonly names = new Map<string, number>();
  private readonly localTypes: ValType[] = [];

  constructor(
    readonly name: string,
    readonly params: readonly [string, ValType][],
  ) {
    params.forEach(([n], i) => this.names.set(n, i));
  }

  local(name: string, type: ValType): this {
    this.names.set(name, this.params.length + this.localTypes.length);
    this.localTypes.push(type);
    return this;
  }

  private idx(name: string): number {
    const i = this.names.get(name);
    if (i === undefined) throw bug(`wasm local ${name} is not declared`);
    return i;
  }

  private op(...bytes: number[]): this {
    this.code.push(...bytes);
    return this;
  }

  private simd(op: number, ...imm: number[]): this {
    this.code.push(0xfd);
    uleb(op, this.code);
    this.code.push(...imm);
    return this;
  }

  private memarg(alignLog2: number, offset: number): number[] {
    const out: number[] = [];
    uleb(alignLog2, out);
    uleb(offset, out);
    return out;
  }

  get(name: string): this {
    this.code.push(0x20);
    uleb(this.idx(name), this.code);
    return this;
  }
  set(name: string): this {
    this.code.push(0x21);
    uleb(this.idx(name), this.code);
    return this;
  }
  tee(name: string): this {
    this.code.push(0x22);
    uleb(this.idx(name), this.code);
    return this;
  }
  i32(n: number): this {
    this.code.push(0x41);
    sleb(n, this.code);
    return this;
  }
  add(): this {
    return this.op(0x6a);
  }
  mul(): this {
    return this.op(0x6c);
  }
  geU(): this {
    return this.op(0x4f);
  }
  sub(): this {
    return this.op(0x6b);
  }
  /** if (the i32 on the stack is nonzero) ... [else ...] end, with no result. */
  if(): this {
    return this.op(0x04, 0x40);
  }
  else(): this {
    return this.op(0x05);
  }
  v128Zero(): this {
    return this.simd(0x0c, ...new Array<number>(16).fill(0));
  }
  divU(): this {
    return this.op(0x6e);
  }
  ltU(): this {
    return this.op(0x49);
  }
  eqz(): this {
    return this.op(0x45);
  }
  ltS(): this {
    return this.op(0x48);
  }
  /** select: the first of the two values below the i32 on the stack if it is nonzero, else the second. */
  select(): this {
    return this.op(0x1b);
  }
  /** call the module's function number `index` (its position in module()'s list). */
  call(index: number): this {
    this.code.push(0x10);
    uleb(index, this.code);
    return this;
  }
  /** block (empty result) ... end; `br` depths count outward from the innermost. */
  block(): this {
    return this.op(0x02, 0x40);
  }
  loop(): this {
    return this.op(0x03, 0x40);
  }
  end(): this {
    return this.op(0x0b);
  }
  br(depth: number): this {
    return this.op(0x0c, depth);
  }
  brIf(depth: number): this {
    return this.op(0x0d, depth);
  }
  v128Load(offset = 0): this {
    return this.simd(0x00, ...this.memarg(4, offset));
  }
  v128Store(offset = 0): this {
    return this.simd(0x0b, ...this.memarg(4, offset));
  }
  /** Loads one f32 and splats it to four lanes. */
  load32Splat(offset = 0): this {
    return this.simd(0x09, ...this.memarg(2, offset));
  }
  /** Loads one f64 and splats it to two lanes. */
  load64Splat(offset = 0): this {
    return this.simd(0x0a, ...this.memarg(3, offset));
  }
  /** v128.load32_zero / load64_zero: one element into lane 0, the other lanes zero. */
  loadZero(bytes: 4 | 8, offset = 0): this {
    return this.simd(bytes === 4 ? 0x5c : 0x5d, ...this.memarg(bytes === 4 ? 2 : 3, offset));
  }
  /** v128.load32_lane / load64_lane: the vector on the stack with one lane replaced by an element from memory. */
  loadLane(bytes: 4 | 8, lane: number, offset = 0): this {
    return this.simd(bytes === 4 ? 0x56 : 0x57, ...this.memarg(bytes === 4 ? 2 : 3, offset), lane);
  }
  /** v128.store32_lane / store64_lane: one lane of the vector on the stack to memory. */
  storeLane(bytes: 4 | 8, lane: number, offset = 0): this {
    return this.simd(bytes === 4 ? 0x5a : 0x5b, ...this.memarg(bytes === 4 ? 2 : 3, offset), lane);
  }
  f32x4Add(): this {
    return this.simd(0xe4);
  }
  f32x4Mul(): this {
    return this.simd(0xe6);
  }
  /**
   * f32x4.relaxed_madd (relaxed-SIMD proposal): a · b + c of the three vectors on the stack, fused or not as
   * the engine's hardware does it (so its bits may differ between machines: see wasm/gemm.ts).
   */
  f32x4RelaxedMadd(): this {
    return this.simd(0x105);
  }
  /** Any other SIMD instruction without immediates, by its opcode (see SIMD below). */
  v(op: number): this {
    return this.simd(op);
  }
  /** v128.const from 16 bytes. */
  v128Const(bytes: Uint8Array): this {
    return this.simd(0x0c, ...bytes);
  }
  /** i8x16.shuffle of the two vectors on the stack: lane i of the result is byte lanes[i] of (a ++ b). */
  shuffle(lanes: readonly number[]): this {
    return this.simd(0x0d, ...lanes);
  }

  /** The function body as the code section wants it: locals grouped by type, then the instructions. */
  body(): number[] {
    const groups: number[][] = [];
    for (const t of this.localTypes) {
      const last = groups[groups.length - 1];
      if (last && last[1] === TYPE[t]) last[0]++;
      else groups.push([1, TYPE[t]]);
    }
    const inner = [...vec(groups.map(([count, type]) => [...leb(count), type])), ...this.code, 0x0b];
    const out: number[] = [];
    uleb(inner.length, out);
    return out.concat(inner);
  }
}

const leb = (n: number) => {
  const out: number[] = [];
  uleb(n, out);
  return out;
};

/**
 * A module importing its memory as env.mem and exporting each function by name (no results). A `shared`
 * module imports a shared memory (threads: runtime/backends/js/wasm/gemm-threads.ts) of any size up to
 * the 4 GiB limit; the other kind imports an unshared one. The instructions are the same.
 */
export function module(funcs: readonly Func[], opts: { shared?: boolean } = {}): Uint8Array {
  const memoryType = opts.shared ? [0x03, 0x01, ...leb(65536)] : [0x00, 0x01];
  const types = funcs.map((f) => [0x60, ...vec(f.params.map(([, t]) => [TYPE[t]])), 0x00]);
  const bytes = [
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vec(types)),
    // import env.mem: a memory of at least 1 page (shared: at most 65,536)
    ...section(2, vec([[...str('env'), ...str('mem'), 0x02, ...memoryType]])),
    ...section(3, vec(funcs.map((_, i) => leb(i)))),
    ...section(7, vec(funcs.map((f, i) => [...str(f.name), 0x00, ...leb(i)]))),
    ...section(10, vec(funcs.map((f) => f.body()))),
  ];
  return Uint8Array.from(bytes);
}

/** SIMD opcodes without immediates used by the compiled path's fused loops (runtime/backends/js/plan/wasm.ts). */
export const SIMD = {
  f32x4Splat: 0x13,
  f64x2Splat: 0x14,
  f32x4DemoteF64x2Zero: 0x5e,
  f64x2PromoteLowF32x4: 0x5f,
  f32x4Lt: 0x43,
  f64x2Lt: 0x49,
  v128And: 0x4e,
  v128Or: 0x50,
  v128Bitselect: 0x52,
  f64x2Floor: 0x75,
  i64x2ExtendLowI32x4S: 0xc7,
  i64x2Shl: 0xcb,
  i64x2Add: 0xce,
  i32x4TruncSatF64x2SZero: 0xfc,
  f32x4Abs: 0xe0,
  f32x4Neg: 0xe1,
  f32x4Sqrt: 0xe3,
  f32x4Add: 0xe4,
  f32x4Sub: 0xe5,
  f32x4Mul: 0xe6,
  f32x4Div: 0xe7,
  f32x4Min: 0xe8,
  f32x4Max: 0xe9,
  f32x4Pmin: 0xea,
  f32x4Pmax: 0xeb,
  f64x2Abs: 0xec,
  f64x2Neg: 0xed,
  f64x2Sqrt: 0xef,
  f64x2Add: 0xf0,
  f64x2Sub: 0xf1,
  f64x2Mul: 0xf2,
  f64x2Div: 0xf3,
  f64x2Min: 0xf4,
  f64x2Max: 0xf5,
  f64x2Pmin: 0xf6,
  f64x2Pmax: 0xf7,
} as const;
