import type { HostArray } from '../../../dtype';
import type { KernelInstr, ViewRef } from '../../../trace';
import type { Func } from '../wasm/asm';
import { GEMM_ROWS, gemmPanel, packB, runTiles, wasmGemmApplies, type GemmKernel, type GemmType } from '../wasm/gemm';
import { accessOf, type Unit } from './fuse';
import type { PlanInput } from '../../../plan-step';
import { columnSum, groupFunc, wasmOpOk, wasmShapeOk, type WOperand } from './wasm';

/**
 * Lowering plan steps to WebAssembly (./wasm.ts): which fused groups and reductions have an exact wasm form,
 * what memory they read, and how to build their function once the plan has laid its buffers out.
 */
export interface WGroupSpec {
  label: string;
  /** Slots the loop reads from memory (not registers, not literals). */
  reads: number[];
  /** float64 values of scratch memory it needs, and where the layout put them. */
  scratch?: number;
  scratchBuf?: number;
  build(name: string, addrOf: (slot: number) => number, scratch: number): Func;
}

/** A fused unit as a wasm loop (./wasm.ts), or null when some op, dtype or access has no exact wasm form. */
export function wasmSpec(tr: PlanInput, u: Unit, stored: (s: number) => boolean): WGroupSpec | null {
  if (typeof WebAssembly === 'undefined') return null;
  const members = u.instrs.map((i) => tr.instrs[i] as KernelInstr);
  const dtype = members[0].dtype;
  if (dtype !== 'float32' && dtype !== 'float64') return null;
  const bytes = dtype === 'float64' ? 8 : 4;
  const inGroup = new Set(members.map((m) => m.out));
  const reads: number[] = [];
  type Pending = { op: string; ins: ((addrOf: (s: number) => number) => WOperand)[]; out: number; store: boolean };
  const plan: Pending[] = [];
  for (const m of members) {
    if (m.dtype !== dtype || m.inputs.some((v) => v.dtype !== dtype)) return null;
    const fn = m.attrs.fn as string;
    const op = m.name === 'copy' ? 'copy' : m.name === 'unary' || m.name === 'binary' ? `${m.name}:${fn}` : null;
    if (!op || !wasmOpOk(op, dtype)) return null;
    const ins: Pending['ins'] = [];
    for (const v of m.inputs) {
      if (inGroup.has(v.slot)) {
        ins.push(() => ({ k: 'reg', slot: v.slot }));
        continue;
      }
      const acc = accessOf(v);
      if (!acc) return null;
      const slot = tr.slots[v.slot];
      if (acc.scalar && slot.kind === 'const' && !tr.instrs.some((i) => i.k === 'write' && i.dst.slot === v.slot)) {
        const value = slot.snapshot![v.offset];
        ins.push(() => ({ k: 'const', value }));
        continue;
      }
      if (!acc.scalar && !acc.flat && acc.sc !== 0 && acc.sc !== 1) return null;
      reads.push(v.slot);
      const at = (addrOf: (s: number) => number) => addrOf(v.slot) + bytes * v.offset;
      if (acc.scalar) ins.push((a) => ({ k: 'scalar', addr: at(a) }));
      else if (acc.flat) ins.push((a) => ({ k: 'flat', addr: at(a) }));
      else if (acc.sc === 1) ins.push((a) => ({ k: 'row', addr: at(a), sr: acc.sr }));
      else ins.push((a) => ({ k: 'col', addr: at(a), sr: acc.sr }));
    }
    plan.push({ op, ins, out: m.out, store: stored(m.out) });
  }
  const shapeProbe = {
    dtype,
    R: u.R,
    C: u.C,
    members: plan.map((p) => ({ op: p.op, ins: p.ins.map((f) => f(() => 0)), out: p.out, store: null })),
  };
  if (!wasmShapeOk(shapeProbe)) return null;
  return {
    label: members.map((m) => (m.attrs.fn as string) ?? m.name).join(' '),
    reads,
    build: (name, addrOf) =>
      groupFunc({
        name,
        dtype,
        R: u.R,
        C: u.C,
        members: plan.map((p) => ({
          op: p.op,
          ins: p.ins.map((f) => f(addrOf)),
          out: p.out,
          store: p.store ? addrOf(p.out) : null,
        })),
      }),
  };
}

/**
 * A sum over the leading dims of a contiguous float32 or float64 value (a bias gradient: rows of a batch summed
 * into one row) as wasm: float64 accumulators per column, rows added in order, so the result is the js
 * kernel's (../reduce.ts contiguousSum) bit for bit. Null for any other reduction.
 */
export function columnSumSpec(tr: PlanInput, u: Unit): WGroupSpec | null {
  const ins = tr.instrs[u.instrs[0]];
  if (
    typeof WebAssembly === 'undefined' ||
    ins.k !== 'kernel' ||
    ins.name !== 'reduce' ||
    ins.attrs.fn !== 'sum' ||
    ins.backend !== 'js'
  )
    return null;
  const [v] = ins.inputs;
  const dtype = ins.dtype;
  if ((dtype !== 'float32' && dtype !== 'float64') || v.dtype !== dtype || !accessOf(v)?.flat) return null;
  const bytes = dtype === 'float64' ? 8 : 4;
  const axes = ins.attrs.axes as number[];
  let pattern = '';
  let R = 1;
  let C = 1;
  v.shape.forEach((d, i) => {
    if (d === 1) return;
    const kind = axes.includes(i) ? 'r' : 'k';
    if (!pattern.endsWith(kind)) pattern += kind;
    if (kind === 'r') R *= d;
    else C *= d;
  });
  if (pattern !== 'rk' || C % (dtype === 'float64' ? 2 : 4) !== 0) return null;
  return {
    label: `sum over ${R} rows of ${C}`,
    reads: [v.slot],
    scratch: C,
    build: (name, addrOf, acc) => columnSum(name, addrOf(v.slot) + bytes * v.offset, addrOf(ins.out), R, C, acc, dtype),
  };
}

/**
 * A 2-D float32 or float64 matmul the js kernel would run in wasm (wasmGemmApplies), run by the same micro-kernel on
 * the plan's own memory: operands the plan holds are read where they lie and the product is written into
 * its buffer, so nothing is copied in or out. Same tiles, same order of products: the same bits as eagerly.
 */
export interface MatmulSpec {
  dtype: GemmType;
  /** columns of a panel (8 float32, 4 float64) */
  P: number;
  a: ViewRef;
  b: ViewRef;
  out: number;
  M: number;
  N: number;
  K: number;
  /** B packed into panels (its rows are not contiguous, or N is not a multiple of P). */
  packed: boolean;
  /** B's rows are contiguous and N a multiple of P/2: the plan packs it in wasm (./wasm.ts packPanels), reading it in its memory. */
  packInWasm: boolean;
  /** Elements of scratch: B's panels and/or C with padded columns. */
  scratch: number;
  /** Slots read in place that must be in the plan's memory. */
  reads: number[];
}

export function matmulSpec(tr: PlanInput, u: Unit): MatmulSpec | null {
  const ins = tr.instrs[u.instrs[0]];
  if (
    u.fused ||
    typeof WebAssembly === 'undefined' ||
    ins.k !== 'kernel' ||
    ins.name !== 'matmul' ||
    ins.backend !== 'js'
  )
    return null;
  const [a, b] = ins.inputs;
  const dtype = ins.dtype;
  if (
    (dtype !== 'float32' && dtype !== 'float64') ||
    a.dtype !== dtype ||
    b.dtype !== dtype ||
    ins.shape.length !== 2 ||
    a.shape.length !== 2 ||
    b.shape.length !== 2
  )
    return null;
  const [M, N] = ins.shape;
  const K = a.shape[1];
  if (!wasmGemmApplies(dtype, M, N, K) || a.strides.some((x) => x < 0) || b.strides.some((x) => x < 0)) return null;
  const P = gemmPanel(dtype);
  // (one column: the kernel reads B's column where it lies, runTiles' gemv)
  const packed = N !== 1 && !(b.strides[1] === 1 && N % P === 0);
  const Np = Math.ceil(N / P) * P;
  const Mp = Math.ceil(M / GEMM_ROWS) * GEMM_ROWS;
  const scratch = (packed ? K * Np : 0) + (inPlace(N, P) ? 0 : Mp * Np);
  const packInWasm = packed && b.strides[1] === 1 && N % (P / 2) === 0;
  const reads = packed && !packInWasm ? [a.slot] : [a.slot, b.slot];
  return { dtype, P, a, b, out: ins.out, M, N, K, packed, packInWasm, scratch, reads };
}

/**
 * The call a plan makes for a MatmulSpec, given where things lie (in elements of `mem`, the memory viewed in
 * the spec's type). When N is neither a whole number of panels nor 1 the product is left in the scratch, rows
 * `matmulPadded(spec)` elements apart, for the plan's copyRows (./wasm.ts) to move into the output.
 */
export function matmulCall(
  spec: MatmulSpec,
  tile: GemmKernel,
  mem: () => Float32Array | Float64Array,
  at: (slot: number) => number,
  scratchAt: number,
  bHost: () => HostArray,
): () => void {
  const { a, b, M, N, K, P } = spec;
  const Np = Math.ceil(N / P) * P;
  const aBase = at(a.slot) + a.offset;
  const bPanels = scratchAt;
  const cScratch = scratchAt + (spec.packed ? K * Np : 0);
  const direct = inPlace(N, P);
  const cBase = direct ? at(spec.out) : cScratch;
  return () => {
    let bBase = at(b.slot) + b.offset;
    let ldb = b.strides[0];
    let panelStride = P;
    if (spec.packInWasm) [bBase, ldb, panelStride] = [bPanels, P, K * P];
    else if (spec.packed) {
      const B = bHost() as Float32Array | Float64Array;
      packB(mem(), bPanels, { data: B, off: b.offset, si: b.strides[0], sj: b.strides[1] }, N, K, P);
      [bBase, ldb, panelStride] = [bPanels, P, K * P];
    }
    runTiles(tile, aBase, a.strides[0], a.strides[1], bBase, ldb, panelStride, cBase, direct ? N : Np, M, N, K);
  };
}

/**
 * Whether the product is written into the output itself: whole panels (rows N apart), or one column (runTiles'
 * gemv writes its M rows alone, nothing past them).
 */
const inPlace = (N: number, P: number) => N % P === 0 || N === 1;

/** Where a MatmulSpec's product lies when it is not written in place: its scratch offset and row stride (elements). */
export function matmulPadded(spec: MatmulSpec): { offset: number; ld: number } | null {
  const { N, P } = spec;
  if (inPlace(N, P)) return null;
  const Np = Math.ceil(N / P) * P;
  return { offset: spec.packed ? spec.K * Np : 0, ld: Np };
}
