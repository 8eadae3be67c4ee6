import { runKernel } from '../../../backend';
import type { KernelAttrs, KernelOutput } from '../../../kernels';
import type { PlanInput, PlanStats, PlanStep } from '../../../plan-step';
import type { View } from '../../../storage';
import { slotsRead, slotsTouched, type KernelInstr, type Resolver, type Slot } from '../../../trace';
import { HELPERS } from '../fns';
import { writeInto } from '../layout';
import { module, type Func } from '../wasm/asm';
import { gemmElem, GEMM_ROWS, tileOn, type GemmKernel, type GemmType } from '../wasm/gemm';
import { planMemory, splitWorthy } from '../wasm/gemm-threads';
import { group, jsLoop, type Unit } from './fuse';
import {
  columnSumSpec,
  matmulCall,
  matmulPadded,
  matmulSpec,
  wasmSpec,
  type MatmulSpec,
  type WGroupSpec,
} from './lower';
import { copyRows, packPanels } from './wasm';

/**
 * The js backend's plan compiler (Backend.compilePlan; gpu.js's host engines share it): a trace turned into
 * one straight-line JavaScript function over buffers allocated once (ARCHITECTURE principle 4 on js
 * backends): kernel calls write into the plan's buffers (`into`), elementwise runs are fused (./fuse.ts),
 * buffers are reused once their last reader has run, and effects are called in order.
 * Why generated JS rather than gpu.js `createPipeline` here: on this CPU the js kernels (with the wasm SIMD
 * matmul) beat gpu.js's cpu and webasm engines on every op of a training step, and a pipeline runs each
 * kernel as its own gpu.js call (2–5 µs each before any work); on GPU backends a pipeline would keep values
 * on the device, which the plan's kernels already do not move since storage is host memory here.
 */

/** Everything the generated step reads, passed as one record (the step's code names its fields by one letter). */
interface StepRecord {
  /** T: the plan's storage for each slot. */
  storages: PlanInput['storages'];
  /** V: the input views of each kernel call (and dst, src of each write). */
  views: View[][];
  /** A, O: each kernel call's attributes and output. */
  attrs: KernelAttrs[];
  outputs: KernelOutput[];
  /** E: the effects, in order; R: how they find this call's tensors. */
  effects: ((r: Resolver) => void)[];
  resolver: Resolver;
  /** H: the helpers fused expressions call (tanh32, ...). */
  helpers: typeof HELPERS;
  /** rk, wi: a kernel call, an in-place write. */
  runKernel: typeof runKernel;
  writeInto: typeof writeInto;
  /** W: the fused groups compiled to wasm; S: staging buffers in the arena; MM: matmuls in place. */
  wasm: Record<string, () => void>;
  staging: (Float32Array | Float64Array)[];
  matmuls: (() => void)[];
}

const PROLOGUE =
  'const { storages: T, views: V, attrs: A, outputs: O, effects: E, resolver: R, helpers: H, runKernel: rk, writeInto: wi, wasm: W, staging: S, matmuls: MM } = p;';

export function compileHostPlan(input: PlanInput): PlanStep {
  const { slots, instrs, escapes, restore } = input;
  const T = input.storages;
  const rec: StepRecord = {
    storages: T,
    views: [],
    attrs: [],
    outputs: [],
    effects: [],
    resolver: { tensor: (t) => t },
    helpers: HELPERS,
    runKernel,
    writeInto,
    wasm: {},
    staging: [],
    matmuls: [],
  };
  const stage = (view: Float32Array | Float64Array): number => rec.staging.push(view) - 1;
  const units = group(input);
  const written = new Set<number>();
  for (const ins of instrs) if (ins.k === 'write') written.add(ins.dst.slot);

  // where each slot is last read, in units; and which fused values anything outside their unit reads
  const unitOf = new Map<number, number>();
  units.forEach((u, k) => u.instrs.forEach((i) => unitOf.set(i, k)));
  const lastUse = new Map<number, number>();
  const readOutside = new Set<number>();
  const producer = new Map<number, number>();
  instrs.forEach((ins, i) => {
    const u = unitOf.get(i)!;
    for (const s of slotsRead(ins)) {
      lastUse.set(s, u);
      if (producer.get(s) !== u) readOutside.add(s);
    }
    if (ins.k === 'kernel') producer.set(ins.out, u);
  });
  const stored = (s: number) => readOutside.has(s) || escapes.has(s) || written.has(s);

  // tmps get buffers from a pool laid out in one WebAssembly.Memory (so wasm loops reach them by address)
  const pool = new Map<string, number[]>();
  const keyOf = (s: Slot) => `${s.dtype === 'float64' ? 'd' : 'f'}${s.length}`;
  const vbufs: { f64: boolean; length: number }[] = [];
  const bufOf = new Map<number, number>();
  const released = new Set<number>();
  units.forEach((u, k) => {
    for (const i of u.instrs) {
      const ins = instrs[i] as KernelInstr;
      if (ins.k !== 'kernel' || (u.fused && !stored(ins.out))) continue;
      const s = slots[ins.out];
      const free = pool.get(keyOf(s));
      let buf = !escapes.has(s.id) ? free?.pop() : undefined;
      if (buf === undefined) {
        buf = vbufs.length;
        vbufs.push({ f64: s.dtype === 'float64', length: s.length });
      }
      bufOf.set(s.id, buf);
    }
    for (const i of u.instrs) {
      const ins = instrs[i];
      const touched = slotsTouched(ins);
      for (const s of touched) {
        const slot = slots[s];
        if (slot.kind !== 'tmp' || released.has(s) || escapes.has(s) || (lastUse.get(s) ?? -1) > k) continue;
        if (u.fused && !stored(s)) continue; // lived in a register
        released.add(s);
        const list = pool.get(keyOf(slot)) ?? [];
        list.push(bufOf.get(s)!);
        pool.set(keyOf(slot), list);
      }
    }
  });

  // which fused units run as wasm; the slots they read that live outside the arena get a staging buffer
  const wasmUnits = new Map<Unit, WGroupSpec>();
  const matmuls = new Map<Unit, { spec: MatmulSpec; scratchBuf: number }>();
  const staged = new Map<number, number>();
  const stageSlot = (sl: number) => {
    if (slots[sl].kind === 'tmp' || staged.has(sl)) return;
    staged.set(sl, vbufs.length);
    vbufs.push({ f64: slots[sl].dtype === 'float64', length: slots[sl].length });
  };
  // bytes a 4-row micro-kernel may write past M, and read past A's rows (garbage rows, dropped)
  let spill = 0;
  units.forEach((u) => {
    const mm = matmulSpec(input, u);
    if (!mm) return;
    const f64 = mm.dtype === 'float64';
    matmuls.set(u, { spec: mm, scratchBuf: mm.scratch ? vbufs.push({ f64, length: mm.scratch }) - 1 : -1 });
    mm.reads.forEach(stageSlot);
    spill = Math.max(spill, gemmElem(mm.dtype) * ((GEMM_ROWS - 1) * Math.max(mm.N, mm.a.strides[0]) + 16));
  });
  units.forEach((u) => {
    const spec = u.fused ? wasmSpec(input, u, stored) : columnSumSpec(input, u);
    if (!spec) return;
    wasmUnits.set(u, spec);
    if (spec.scratch) spec.scratchBuf = vbufs.push({ f64: true, length: spec.scratch }) - 1;
    spec.reads.forEach(stageSlot);
  });
  // the layout: 16-byte aligned, each buffer padded so 4-lane loops may run past its end
  const addr: number[] = [];
  let top = 16;
  for (const b of vbufs) {
    addr.push(top);
    top += Math.ceil((b.length * (b.f64 ? 8 : 4) + spill) / 16) * 16 + 16;
  }
  top += spill;
  // shared where a product is big enough for the matmul worker to take half of it in place
  const splits = [...matmuls.values()].some(({ spec }) => splitWorthy(spec.M * spec.N * spec.K));
  const memory = planMemory(Math.max(1, Math.ceil(top / 65536)), splits);
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  const views = vbufs.map((b, i) =>
    b.f64 ? new Float64Array(memory.buffer, addr[i], b.length) : new Float32Array(memory.buffer, addr[i], b.length),
  );
  for (const [slot, buf] of bufOf) T[slot].host = views[buf];
  const buffers = vbufs.length;
  const bytes = top;
  const addrOf = (slot: number) => (staged.has(slot) ? addr[staged.get(slot)!] : addr[bufOf.get(slot)!]);
  const wasmFuncs: Func[] = [];
  const wasmCode = new Map<Unit, string>();
  for (const [u, spec] of wasmUnits) {
    const name = `g${wasmFuncs.length}`;
    wasmFuncs.push(spec.build(name, addrOf, spec.scratchBuf === undefined ? 0 : addr[spec.scratchBuf]));
    const copies = [...new Set(spec.reads.filter((sl) => staged.has(sl)))].map(
      (sl) => `S[${stage(views[staged.get(sl)!])}].set(T[${sl}].host.subarray(0, ${slots[sl].length}));`,
    );
    wasmCode.set(u, [`// ${u.fused ? 'fused' : 'kernel'} (wasm): ${spec.label}`, ...copies, `W.${name}();`].join('\n'));
  }
  // the micro-kernel of each type the plan's products use, on the plan's memory
  const tiles = new Map<GemmType, GemmKernel | null>();
  const tileFor = (dtype: GemmType) => {
    if (!tiles.has(dtype)) tiles.set(dtype, tileOn(memory, dtype));
    return tiles.get(dtype)!;
  };
  const matmulCode = new Map<Unit, string>();
  const typed = { float32: new Float32Array(memory.buffer), float64: new Float64Array(memory.buffer) };
  for (const [u, { spec, scratchBuf }] of matmuls) {
    const tile = tileFor(spec.dtype);
    if (!tile) break;
    const elem = gemmElem(spec.dtype);
    const copies = [...new Set(spec.reads.filter((sl) => staged.has(sl)))].map(
      (sl) => `S[${stage(views[staged.get(sl)!])}].set(T[${sl}].host.subarray(0, ${slots[sl].length}));`,
    );
    const call = matmulCall(
      spec,
      tile,
      () => typed[spec.dtype],
      (sl) => addrOf(sl) / elem,
      scratchBuf >= 0 ? addr[scratchBuf] / elem : 0,
      () => T[spec.b.slot].host,
    );
    let packIn = '';
    if (spec.packInWasm) {
      const name = `p${wasmFuncs.length}`;
      const src = addrOf(spec.b.slot) + elem * spec.b.offset;
      wasmFuncs.push(packPanels(name, src, spec.b.strides[0], addr[scratchBuf], spec.K, spec.N, elem));
      packIn = `W.${name}();`;
    }
    const padded = matmulPadded(spec);
    let copyOut = '';
    if (padded) {
      const name = `c${wasmFuncs.length}`;
      const from = addr[scratchBuf] + elem * padded.offset;
      wasmFuncs.push(copyRows(name, from, addrOf(spec.out), spec.M, spec.N, padded.ld, elem));
      copyOut = `W.${name}();`;
    }
    matmulCode.set(
      u,
      [
        `// matmul ${spec.M}×${spec.K} @ ${spec.K}×${spec.N} (wasm, in place)`,
        ...copies,
        packIn,
        `MM[${rec.matmuls.push(call) - 1}]();`,
        copyOut,
      ].join('\n'),
    );
  }
  rec.wasm = wasmFuncs.length
    ? (new WebAssembly.Instance(new WebAssembly.Module(module(wasmFuncs, { shared })), { env: { mem: memory } })
        .exports as Record<string, () => void>)
    : {};

  const lines: string[] = [];
  for (const r of restore) lines.push(`T[${r.slot}].host.set(C${restore.indexOf(r)});`);
  const restored = (sl: number) => restore.some((r) => r.slot === sl);
  let kernels = 0;
  let fusedGroups = 0;
  let fusedOps = 0;
  let effects = 0;
  let wasmGroups = 0;
  for (const u of units) {
    const direct = !u.fused ? (wasmCode.get(u) ?? matmulCode.get(u)) : undefined;
    if (direct) {
      kernels++;
      lines.push(direct);
      continue;
    }
    if (u.fused) {
      fusedGroups++;
      fusedOps += u.instrs.length;
      if (wasmCode.has(u)) wasmGroups++;
      lines.push(wasmCode.get(u) ?? jsLoop(input, u, stored, restored));
      continue;
    }
    const ins = instrs[u.instrs[0]];
    if (ins.k === 'kernel') {
      kernels++;
      const j = rec.views.length;
      rec.views.push(ins.inputs.map((v) => input.view(v)));
      rec.attrs.push(ins.attrs);
      rec.outputs.push({ shape: ins.shape, dtype: ins.dtype });
      // a kernel that ignores `into` (another backend's) returns its own array: copied into the plan's buffer
      lines.push(
        `h = rk(${JSON.stringify(ins.name)}, V[${j}], A[${j}], O[${j}], T[${ins.out}].host);`,
        `if (h !== T[${ins.out}].host) T[${ins.out}].host.set(h);`,
      );
    } else if (ins.k === 'write') {
      const j = rec.views.length;
      rec.views.push([input.view(ins.dst), input.view(ins.src)]);
      rec.attrs.push({});
      rec.outputs.push({ shape: [], dtype: 'float32' });
      lines.push(`wi(V[${j}][0], V[${j}][1]);`, `V[${j}][0].storage.version++;`);
    } else {
      effects++;
      lines.push(`E[${rec.effects.length}](R); // ${ins.label.replace(/\n/g, ' ')}`);
      rec.effects.push(ins.replay);
    }
  }
  const consts = restore.map((_, i) => `C${i}`);
  const source = lines.join('\n');
  const body = `const [${consts.join(', ')}] = CONSTS;\nreturn function step(p) {\n${PROLOGUE}\nlet h;\n${source}\n};`;
  const step = new Function('CONSTS', body)(restore.map((r) => r.values)) as (p: StepRecord) => void;
  const stats: PlanStats = { kernels, fusedGroups, wasmGroups, fusedOps, effects, buffers, bufferBytes: bytes };
  return {
    source,
    stats,
    run(resolver) {
      rec.resolver = resolver;
      step(rec);
    },
  };
}
