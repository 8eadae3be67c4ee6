import type { HostArray } from '../../../dtype';
import type { KernelInstr, ViewRef } from '../../../trace';
import type { Func } from '../wasm/asm';
import { GEMM_ROWS, packB, runTiles, wasmGemmApplies, type GemmKernel } from '../wasm/gemm';
import { accessOf, type Unit } from './fuse';
import type { PlanInput } from '../../../plan-step';
import { columnSum, groupFunc, WASM_BINARY, WASM_UNARY, wasmShapeOk, type WOperand } from './wasm';

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
  const inGroup = new Set(members.map((m) => m.out));
  const reads: number[] = [];
  type Pending = { op: string; ins: ((addrOf: (s: number) => number) => WOperand)[]; out: number; store: boolean };
  const plan: Pending[] = [];
  for (const m of members) {
    if (m.dtype !== 'float32' || m.inputs.some((v) => v.dtype !== 'float32')) return null;
    const fn = m.attrs.fn as string;
    const op =
      m.name === 'copy'
        ? 'copy'
        : m.name === 'unary' && WASM_UNARY.has(fn)
          ? `unary:${fn}`
          : m.name === 'binary' && WASM_BINARY.has(fn)
            ? `binary:${fn}`
            : null;
    if (!op) return null;
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
      const at = (addrOf: (s: number) => number) => addrOf(v.slot) + 4 * v.offset;
      if (acc.scalar) ins.push((a) => ({ k: 'scalar', addr: at(a) }));
      else if (acc.flat) ins.push((a) => ({ k: 'flat', addr: at(a) }));
      else if (acc.sc === 1) ins.push((a) => ({ k: 'row', addr: at(a), sr: acc.sr }));
      else ins.push((a) => ({ k: 'col', addr: at(a), sr: acc.sr }));
    }
    plan.push({ op, ins, out: m.out, store: stored(m.out) });
  }
  const shapeProbe = {
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
 * A sum over the leading dims of a contiguous float32 value (a bias gradient: rows of a batch summed into
 * one row) as wasm: float64 accumulators per column, rows added in order, so the result is the js
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
  if (ins.dtype !== 'float32' || v.dtype !== 'float32' || !accessOf(v)?.flat) return null;
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
  if (pattern !== 'rk' || C % 4 !== 0) return null;
  return {
    label: `sum over ${R} rows of ${C}`,
    reads: [v.slot],
    scratch: C,
    build: (name, addrOf, acc) => columnSum(name, addrOf(v.slot) + 4 * v.offset, addrOf(ins.out), R, C, acc),
  };
}

/**
 * A 2-D float32 matmul the js kernel would run in wasm (wasmGemmApplies), run by the same micro-kernel on
 * the plan's own memory: operands the plan holds are read where they lie and the product is written into
 * its buffer, so nothing is copied in or out. Same tiles, same order of products: the same bits as eagerly.
 */
export interface MatmulSpec {
  a: ViewRef;
  b: ViewRef;
  out: number;
  M: number;
  N: number;
  K: number;
  /** B packed into panels (its rows are not contiguous, or N is not a multiple of 8). */
  packed: boolean;
  /** B's rows are contiguous and N a multiple of 4: the plan packs it in wasm (./wasm.ts packPanels), reading it in its memory. */
  packInWasm: boolean;
  /** Floats of scratch: B's panels and/or C with padded columns. */
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
  if (
    ins.dtype !== 'float32' ||
    a.dtype !== 'float32' ||
    b.dtype !== 'float32' ||
    ins.shape.length !== 2 ||
    a.shape.length !== 2 ||
    b.shape.length !== 2
  )
    return null;
  const [M, N] = ins.shape;
  const K = a.shape[1];
  if (!wasmGemmApplies('float32', M, N, K) || a.strides.some((x) => x < 0) || b.strides.some((x) => x < 0)) return null;
  const packed = !(b.strides[1] === 1 && N % 8 === 0);
  const Np = Math.ceil(N / 8) * 8;
  const Mp = Math.ceil(M / GEMM_ROWS) * GEMM_ROWS;
  const scratch = (packed ? K * Np : 0) + (N % 8 === 0 ? 0 : Mp * Np);
  const packInWasm = packed && b.strides[1] === 1 && N % 4 === 0;
  const reads = packed && !packInWasm ? [a.slot] : [a.slot, b.slot];
  return { a, b, out: ins.out, M, N, K, packed, packInWasm, scratch, reads };
}

/**
 * The call a plan makes for a MatmulSpec, given where things lie (in floats of `mem`). When N is not a whole
 * number of 8-column panels the product is left in the scratch, rows `matmulPadded(spec)` floats apart, for
 * the plan's copyRows (./wasm.ts) to move into the output.
 */
export function matmulCall(
  spec: MatmulSpec,
  tile: GemmKernel,
  mem: () => Float32Array,
  at: (slot: number) => number,
  scratchAt: number,
  bHost: () => HostArray,
): () => void {
  const { a, b, M, N, K } = spec;
  const Np = Math.ceil(N / 8) * 8;
  const aBase = at(a.slot) + a.offset;
  const bPanels = scratchAt;
  const cScratch = scratchAt + (spec.packed ? K * Np : 0);
  const direct = N % 8 === 0;
  const cBase = direct ? at(spec.out) : cScratch;
  return () => {
    let bBase = at(b.slot) + b.offset;
    let ldb = b.strides[0];
    let panelStride = 8;
    if (spec.packInWasm) [bBase, ldb, panelStride] = [bPanels, 8, K * 8];
    else if (spec.packed) {
      packB(mem(), bPanels, { data: bHost() as Float32Array, off: b.offset, si: b.strides[0], sj: b.strides[1] }, N, K);
      [bBase, ldb, panelStride] = [bPanels, 8, K * 8];
    }
    runTiles(tile, aBase, a.strides[0], a.strides[1], bBase, ldb, panelStride, cBase, direct ? N : Np, M, N, K);
  };
}

/** Where a MatmulSpec's product lies when it is not written in place: its scratch offset (floats) and row stride. */
export function matmulPadded(spec: MatmulSpec): { offset: number; ld: number } | null {
  if (spec.N % 8 === 0) return null;
  return { offset: spec.packed ? spec.K * Math.ceil(spec.N / 8) * 8 : 0, ld: Math.ceil(spec.N / 8) * 8 };
}
