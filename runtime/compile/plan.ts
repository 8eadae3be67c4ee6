import { runKernel } from '../backend';
import { writeInto } from '../backends/js/layout';
import { HELPERS } from '../backends/js/fns';
import { allocHost, type HostArray } from '../dtype';
import type { KernelAttrs, KernelOutput } from '../kernels';
import { sizeOf } from '../shape';
import { Storage, type View } from '../storage';
import { Tensor } from '../tensor';
import { module, type Func } from '../backends/js/wasm/asm';
import { group, jsLoop, type Unit } from './fuse';
import { columnSumSpec, matmulCall, matmulSpec, wasmSpec, type MatmulSpec, type WGroupSpec } from './lower';
import { GEMM_ROWS, tileOn } from '../backends/js/wasm/gemm';
import type { Resolver } from './state';
import type { Instr, Slot, Tracer, ViewRef } from './tracer';

/**
 * A trace turned into one straight-line JavaScript function over buffers allocated once (ARCHITECTURE
 * principle 4 on js backends): kernel calls write into the plan's buffers (`into`), elementwise runs are
 * fused (./fuse.ts), buffers are reused once their last reader has run, and effects are called in order.
 * Why generated JS rather than gpu.js `createPipeline` here: on this CPU the js kernels (with the wasm SIMD
 * matmul) beat gpu.js's cpu and webasm engines on every op of a training step, and a pipeline runs each
 * kernel as its own gpu.js call (2–5 µs each before any work); on GPU backends a pipeline would keep values
 * on the device, which the plan's kernels already do not move since storage is host memory here.
 */
type KernelInstr = Extract<Instr, { k: 'kernel' }>;

export interface PlanStats {
  kernels: number;
  fusedGroups: number;
  /** Fused groups that run as WebAssembly SIMD (./wasm.ts); the others are JS loops. */
  wasmGroups: number;
  fusedOps: number;
  effects: number;
  buffers: number;
  bufferBytes: number;
}

/** The result of a traced call, with its tensors replaced by how a replay rebuilds them. */
export type Shape = { t: 'tensor'; ref: Tensor } | { t: 'list'; items: Shape[]; make: ((items: unknown[]) => unknown) | null } | { t: 'value'; v: unknown };

/** A kind of value that holds others (the language's tuples), so a result's tensors inside it are rebuilt. */
export interface Container {
  is(v: unknown): boolean;
  items(v: unknown): readonly unknown[];
  make(items: unknown[]): unknown;
}

export class Plan {
  readonly stats: PlanStats;
  readonly source: string;
  private readonly run_: (T: Storage[], V: View[][], A: KernelAttrs[], O: KernelOutput[], E: ((r: Resolver) => void)[], R: Resolver, H: unknown, rk: typeof runKernel, wi: typeof writeInto, W: Record<string, () => void>, S: Float32Array[], MM: (() => void)[]) => void;
  /** Matmuls run in place on the plan's memory (lower.ts matmulCall). */
  private readonly MM: (() => void)[] = [];
  private readonly memory: WebAssembly.Memory;
  private W: Record<string, () => void> = {};
  /** Staging buffers in the arena for values a wasm loop reads from outside it. */
  private readonly S: Float32Array[] = [];
  private readonly T: Storage[];
  private readonly V: View[][] = [];
  private readonly A: KernelAttrs[] = [];
  private readonly O: KernelOutput[] = [];
  private readonly E: ((r: Resolver) => void)[] = [];
  /** Views whose storage is an argument's, rebound each call. */
  private readonly argViews: { view: { storage: Storage }; slot: number }[] = [];
  private readonly restore: { slot: number; values: HostArray }[] = [];
  private readonly result: Shape;

  constructor(
    private readonly tr: Tracer,
    result: unknown,
    containers: readonly Container[] = [],
  ) {
    const { slots, instrs } = tr;
    const units = group(tr);
    const escapes = new Set<number>();
    for (const ins of instrs) if (ins.k === 'effect') ins.uses.forEach((s) => escapes.add(s));
    this.result = shapeOf(result, (t) => escapes.add(tr.slotOf(t.storage)), containers);
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
      const reads = ins.k === 'kernel' ? ins.inputs.map((v) => v.slot) : ins.k === 'write' ? [ins.dst.slot, ins.src.slot] : ins.uses;
      for (const s of reads) {
        lastUse.set(s, u);
        if (producer.get(s) !== u) readOutside.add(s);
      }
      if (ins.k === 'kernel') producer.set(ins.out, u);
    });
    const stored = (s: number) => readOutside.has(s) || escapes.has(s) || written.has(s);

    // storages: ext and args as they are (args rebound per call), consts copied, tmps from a pool of
    // buffers laid out in one WebAssembly.Memory (so wasm loops reach them by address)
    this.T = slots.map((s) => this.storageFor(s));
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
        const touched = ins.k === 'kernel' ? [...ins.inputs.map((v) => v.slot), ins.out] : ins.k === 'write' ? [ins.dst.slot, ins.src.slot] : ins.uses;
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
      vbufs.push({ f64: false, length: slots[sl].length });
    };
    // rows a 4-row micro-kernel may write past M, and read past A's rows (garbage rows, dropped)
    let spill = 0;
    units.forEach((u) => {
      const mm = matmulSpec(tr, u);
      if (!mm) return;
      matmuls.set(u, { spec: mm, scratchBuf: mm.scratch ? vbufs.push({ f64: false, length: mm.scratch }) - 1 : -1 });
      mm.reads.forEach(stageSlot);
      spill = Math.max(spill, (GEMM_ROWS - 1) * Math.max(mm.N, mm.a.strides[0]) + 16);
    });
    units.forEach((u) => {
      const spec = u.fused ? wasmSpec(tr, u, stored) : columnSumSpec(tr, u);
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
      top += Math.ceil((b.length * (b.f64 ? 8 : 4) + 4 * spill) / 16) * 16 + 16;
    }
    top += 4 * spill;
    this.memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(top / 65536)) });
    const views = vbufs.map((b, i) => (b.f64 ? new Float64Array(this.memory.buffer, addr[i], b.length) : new Float32Array(this.memory.buffer, addr[i], b.length)));
    for (const [slot, buf] of bufOf) this.T[slot].host = views[buf];
    const buffers = vbufs.length;
    const bytes = top;
    const addrOf = (slot: number) => (staged.has(slot) ? addr[staged.get(slot)!] : addr[bufOf.get(slot)!]);
    const wasmFuncs: Func[] = [];
    const wasmCode = new Map<Unit, string>();
    for (const [u, spec] of wasmUnits) {
      const name = `g${wasmFuncs.length}`;
      wasmFuncs.push(spec.build(name, addrOf, spec.scratchBuf === undefined ? 0 : addr[spec.scratchBuf]));
      const copies = [...new Set(spec.reads.filter((sl) => staged.has(sl)))].map((sl) => `S[${this.stage(views[staged.get(sl)!] as Float32Array)}].set(T[${sl}].host.subarray(0, ${slots[sl].length}));`);
      wasmCode.set(u, [`// ${u.fused ? 'fused' : 'kernel'} (wasm): ${spec.label}`, ...copies, `W.${name}();`].join('\n'));
    }
    const tile = matmuls.size ? tileOn(this.memory) : null;
    const matmulCode = new Map<Unit, string>();
    if (tile) {
      const f32 = new Float32Array(this.memory.buffer);
      for (const [u, { spec, scratchBuf }] of matmuls) {
        const copies = [...new Set(spec.reads.filter((sl) => staged.has(sl)))].map((sl) => `S[${this.stage(views[staged.get(sl)!] as Float32Array)}].set(T[${sl}].host.subarray(0, ${slots[sl].length}));`);
        const call = matmulCall(spec, tile, () => f32, (sl) => addrOf(sl) / 4, scratchBuf >= 0 ? addr[scratchBuf] / 4 : 0, () => this.T[spec.b.slot].host, () => this.T[spec.out].host);
        matmulCode.set(u, [`// matmul ${spec.M}×${spec.K} @ ${spec.K}×${spec.N} (wasm, in place)`, ...copies, `MM[${this.MM.push(call) - 1}]();`].join('\n'));
      }
    }
    const W = wasmFuncs.length ? (new WebAssembly.Instance(new WebAssembly.Module(module(wasmFuncs)), { env: { mem: this.memory } }).exports as Record<string, () => void>) : {};

    const lines: string[] = [];
    for (const r of this.restore) lines.push(`T[${r.slot}].host.set(C${this.restore.indexOf(r)});`);
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
        lines.push(wasmCode.get(u) ?? jsLoop(tr, u, stored, (sl) => this.restore.some((r) => r.slot === sl)));
        continue;
      }
      const ins = instrs[u.instrs[0]];
      if (ins.k === 'kernel') {
        kernels++;
        const j = this.V.length;
        this.V.push(ins.inputs.map((v) => this.view(v)));
        this.A.push(ins.attrs);
        this.O.push({ shape: ins.shape, dtype: ins.dtype });
        // a kernel that ignores `into` (another backend's) returns its own array: copied into the plan's buffer
        lines.push(`h = rk(${JSON.stringify(ins.name)}, V[${j}], A[${j}], O[${j}], T[${ins.out}].host);`, `if (h !== T[${ins.out}].host) T[${ins.out}].host.set(h);`);
      } else if (ins.k === 'write') {
        const j = this.V.length;
        this.V.push([this.view(ins.dst), this.view(ins.src)]);
        this.A.push({});
        this.O.push({ shape: [], dtype: 'float32' });
        lines.push(`wi(V[${j}][0], V[${j}][1]);`, `V[${j}][0].storage.version++;`);
      } else {
        effects++;
        lines.push(`E[${this.E.length}](R); // ${ins.label.replace(/\n/g, ' ')}`);
        this.E.push(ins.replay);
      }
    }
    const consts = this.restore.map((_, i) => `C${i}`);
    this.source = lines.join('\n');
    const body = `const [${consts.join(', ')}] = CONSTS;\nreturn function step(T, V, A, O, E, R, H, rk, wi, W, S, MM) {\nlet h;\n${this.source}\n};`;
    this.run_ = new Function('CONSTS', body)(this.restore.map((r) => r.values));
    this.W = W;
    this.stats = { kernels, fusedGroups, wasmGroups, fusedOps, effects, buffers, bufferBytes: bytes };
  }

  private stage(view: Float32Array): number {
    this.S.push(view);
    return this.S.length - 1;
  }

  private storageFor(s: Slot): Storage {
    if (s.kind === 'ext') return s.storage!;
    if (s.kind === 'arg' || s.kind === 'grad') return new Storage(allocHost(s.dtype, 0), s.dtype); // replaced per call
    if (s.kind === 'const') {
      const st = new Storage(s.snapshot!.slice(), s.dtype);
      st.hostOnly = true; // restored in place at each call
      if (this.tr.instrs.some((i) => i.k === 'write' && i.dst.slot === s.id)) this.restore.push({ slot: s.id, values: s.snapshot! });
      return st;
    }
    // a pool buffer is assigned below, and every replay writes it in place (kernels' `into`, fused loops, wasm)
    const st = new Storage(allocHost(s.dtype, 0), s.dtype);
    st.hostOnly = true;
    return st;
  }

  private view(v: ViewRef): View {
    const slot = this.tr.slots[v.slot];
    const view = { storage: this.T[v.slot], shape: v.shape, strides: v.strides, offset: v.offset, dtype: v.dtype };
    if (slot.kind === 'arg' || slot.kind === 'grad') this.argViews.push({ view, slot: v.slot });
    return view;
  }

  /** Runs one call: rebinds the arguments, runs the step, returns the result rebuilt for this call. */
  run(args: readonly (Tensor | null)[]): unknown {
    const { tr } = this;
    const holderOf = (h: Tensor) => {
      const i = tr.args.indexOf(h);
      return i >= 0 ? args[i]! : h;
    };
    for (const s of tr.slots) {
      if (s.kind === 'arg') this.T[s.id] = args[s.arg!]!.storage;
      else if (s.kind === 'grad') this.T[s.id] = holderOf(s.holder!).grad!.storage;
    }
    for (const { view, slot } of this.argViews) view.storage = this.T[slot];
    const cache = new Map<Tensor, Tensor>();
    const resolver: Resolver = {
      tensor: (t) => {
        const i = tr.args.indexOf(t);
        if (i >= 0) return args[i]!;
        let r = cache.get(t);
        if (r) return r;
        const slot = this.slotOfTensor(t);
        if (slot === undefined || tr.slots[slot].kind === 'ext') return t;
        r = new Tensor(this.T[slot], t.shape, t.strides, t.offset, t.dtype, t.origin.op);
        cache.set(t, r);
        return r;
      },
    };
    this.run_(this.T, this.V, this.A, this.O, this.E, resolver, HELPERS, runKernel, writeInto, this.W, this.S, this.MM);
    return rebuild(this.result, (t) => {
      const i = tr.args.indexOf(t);
      if (i >= 0) return args[i]!;
      const slot = this.slotOfTensor(t);
      if (slot === undefined || tr.slots[slot].kind === 'ext') return t;
      // a fresh copy: the plan's buffer is overwritten by the next call
      const v = { storage: this.T[slot], shape: t.shape, strides: t.strides, offset: t.offset, dtype: t.dtype };
      return Tensor.fromHost(copyOf(v), t.shape, t.dtype, t.origin.op);
    });
  }

  private slotOfTensor(t: Tensor): number | undefined {
    return this.tr.knownSlot(t.storage);
  }

  /** Why this plan does not apply to a call with these arguments (a .grad it read changed), or null. */
  check(args: readonly (Tensor | null)[]): string | null {
    return gradGuardFails(this.tr, args);
  }
}

/** Why a plan of trace `tr` does not apply to a call with these arguments (a .grad it read changed), or null. */
export function gradGuardFails(tr: Tracer, args: readonly (Tensor | null)[]): string | null {
  for (const g of tr.gradGuards) {
    const i = tr.args.indexOf(g.holder);
    const holder = i >= 0 ? args[i]! : g.holder;
    const now = holder.grad;
    if ((now === null) !== (g.was === null)) {
      return g.was === null
        ? 'a .grad it accumulates into was none when it was traced and is set now'
        : 'a .grad it accumulates into was set when it was traced and is none now';
    }
    if (now && g.was && now !== g.was) {
      const w = g.was;
      const same = now.dtype === w.dtype && now.offset === w.offset && sameList(now.shape, w.shape) && sameList(now.strides, w.strides);
      // a .grad the trace read as a rebindable slot may be any tensor of the same layout
      if (!same || tr.knownSlot(w.storage) === undefined || tr.slots[tr.knownSlot(w.storage)!].kind !== 'grad') {
        return 'a .grad it accumulates into is not the tensor it was when traced';
      }
    }
  }
  return null;
}

const sameList = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((x, i) => x === b[i]);

function copyOf(v: View): HostArray {
  const n = sizeOf(v.shape);
  const out = allocHost(v.dtype, n);
  writeInto({ storage: new Storage(out, v.dtype), shape: v.shape, strides: contiguous(v.shape), offset: 0, dtype: v.dtype }, v);
  return out;
}

const contiguous = (shape: readonly number[]) => {
  const s = new Array<number>(shape.length);
  let k = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    s[d] = k;
    k *= shape[d];
  }
  return s;
};

export function shapeOf(v: unknown, seen: (t: Tensor) => void, containers: readonly Container[]): Shape {
  if (v instanceof Tensor) {
    seen(v);
    return { t: 'tensor', ref: v };
  }
  if (Array.isArray(v)) return { t: 'list', items: v.map((x) => shapeOf(x, seen, containers)), make: null };
  const c = containers.find((k) => k.is(v));
  if (c) return { t: 'list', items: c.items(v).map((x) => shapeOf(x, seen, containers)), make: (items) => c.make(items) };
  return { t: 'value', v };
}

export function rebuild(s: Shape, tensor: (t: Tensor) => Tensor): unknown {
  if (s.t === 'tensor') return tensor(s.ref);
  if (s.t === 'list') {
    const items = s.items.map((x) => rebuild(x, tensor));
    return s.make ? s.make(items) : items;
  }
  return s.v;
}
