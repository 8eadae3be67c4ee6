import { getBackend, runKernelStorage } from '../../backend';
import { gradGuardFails, rebuild, shapeOf, type Container, type PlanStats, type Shape } from '../../compile/plan';
import type { RunnablePlan } from '../../compile/backend-plans';
import type { Resolver } from '../../compile/state';
import type { Instr, Tracer, ViewRef } from '../../compile/tracer';
import { extrasOf } from '../../ops/registry';
import { isContiguous, sameShape, sizeOf } from '../../shape';
import { Storage, type View } from '../../storage';
import { Tensor } from '../../tensor';
import { writeInto } from '../js/layout';
import { GPU_BINARY_EXPR, GPU_UNARY_EXPR, WHERE_EXPR, CLAMP_EXPR, type GpuExpr } from './exprs';
import { gpuDeclines } from './guard';
import { coalesce, coordLines, indexExpr, isRowMajor, operand } from './layout';
import type { Plan as KernelPlan } from './plans';
import { countUploads, gpuResident, keepers } from './resident';

/**
 * compile() on webgpu (README.md, "Compiled plans on webgpu"): a replay that keeps every value on the GPU.
 * The generic plan (runtime/compile/plan.ts) writes each kernel's result into host buffers, so on webgpu it
 * read every result back; this one replays the trace against device values instead:
 * - runs of elementwise kernels over one shape (unary, binary, where, clamp, copy, as the trace ran them on
 *   webgpu) become one generated gpu.js kernel per value the run hands on (read later, returned, stored in a
 *   .grad): the values only the run reads live in the kernel's registers, never in GPU memory;
 * - every other kernel runs as the op layer runs it (runKernelStorage: matmul, reduce on the GPU, a kernel
 *   only js has on the host), its result a fresh storage for this call, so no replay reads a stale value;
 * - effects (the optimizer's step, .grad set) are called again, and see device values, so the optimizer
 *   updates on the device (runtime/optim/device-step.ts);
 * - nothing is read back: a result is a tensor over this call's device value, read when the caller asks;
 * - the GPU buffers of values nothing outside the call holds are freed as soon as their last reader is posted.
 * Scalars of an op (clamp's bounds, leaky_relu's slope) go to the kernel as an argument, so a kernel's source
 * depends only on the trace's structure and layouts: replays build no new pipeline.
 */
type KernelInstr = Extract<Instr, { k: 'kernel' }>;

const FUSIBLE = new Set(['unary', 'binary', 'where', 'clamp', 'copy']);
const FLOATS = new Set(['float32', 'bool']);

interface Unit {
  instrs: number[];
  fused: boolean;
}

/** The GPU form of a fusible call over operand names (x | a, b | c, a, b) and its scalars, or null. */
function gpuForm(ins: KernelInstr): { expr: GpuExpr; names: string[]; scalars: number[] } | null {
  if (ins.backend !== 'webgpu' || !FUSIBLE.has(ins.name) || !FLOATS.has(ins.dtype) || ins.inputs.some((v) => !FLOATS.has(v.dtype))) return null;
  const fn = ins.attrs.fn as string;
  if (ins.name === 'unary') {
    const expr = GPU_UNARY_EXPR[fn];
    return expr === undefined ? null : { expr, names: ['x'], scalars: extrasOf(fn, ins.attrs) };
  }
  if (ins.name === 'binary') return GPU_BINARY_EXPR[fn] === undefined ? null : { expr: GPU_BINARY_EXPR[fn], names: ['a', 'b'], scalars: [] };
  if (ins.name === 'where') return { expr: WHERE_EXPR, names: ['c', 'a', 'b'], scalars: [] };
  if (ins.name === 'copy') return { expr: 'x', names: ['x'], scalars: [] };
  // as plans.ts's clamp: a GPU may assume no infinities, so the largest float32 stands for a missing bound
  const none = 3.4028234663852886e38;
  return { expr: CLAMP_EXPR, names: ['x'], scalars: [(ins.attrs.min as number | null) ?? -none, (ins.attrs.max as number | null) ?? none] };
}

/** Whether a member reads a value its run made at its own element (what the run's register holds). */
const sameIndex = (v: ViewRef, shape: readonly number[]) => v.offset === 0 && sameShape(v.shape, shape) && isContiguous(v.shape, v.strides);

/** Runs of consecutive fusible kernels over one output shape; everything else one instruction a unit. */
function units(tr: Tracer): Unit[] {
  const out: Unit[] = [];
  let cur: { instrs: number[]; shape: readonly number[]; outs: Set<number> } | null = null;
  const close = () => {
    if (cur) out.push({ instrs: cur.instrs, fused: true });
    cur = null;
  };
  tr.instrs.forEach((ins, i) => {
    if (ins.k !== 'kernel' || !gpuForm(ins) || sizeOf(ins.shape) === 0) {
      close();
      out.push({ instrs: [i], fused: false });
      return;
    }
    const c = cur as { instrs: number[]; shape: readonly number[]; outs: Set<number> } | null;
    if (c && (!sameShape(c.shape, ins.shape) || ins.inputs.some((v) => c.outs.has(v.slot) && !sameIndex(v, c.shape)))) close();
    cur ??= { instrs: [], shape: ins.shape, outs: new Set() };
    cur.instrs.push(i);
    cur.outs.add(ins.out);
  });
  close();
  return out;
}

/** `t_` names of a GPU form, made unique per use (two tanh in one kernel must not declare t_e twice). */
const renameLocals = (s: string, n: number) => s.replace(/\bt_(\w+)/g, `t${n}_$1`);
/** One-letter operand names, not after a dot (Math.max) and not inside a longer identifier. */
const bindNames = (s: string, map: Map<string, string>) => s.replace(/(?<![.\w])([a-z])(?!\w)/g, (m) => map.get(m) ?? m);

/** What one fused kernel computes: its source, given the views of its external operands for this call. */
interface FusedKernel {
  /** the member instructions it needs, in order */
  members: KernelInstr[];
  out: number;
  /** external operands, as the trace saw them */
  reads: ViewRef[];
  /** every member's scalars, in order (the kernel's `sc` argument) */
  scalars: Float32Array;
  label: string;
}

function fusedKernel(tr: Tracer, unit: Unit, out: number): FusedKernel {
  const all = unit.instrs.map((i) => tr.instrs[i] as KernelInstr);
  const made = new Map(all.map((m) => [m.out, m]));
  // the members `out` depends on, walking back from it
  const need = new Set<number>([out]);
  for (let k = all.length - 1; k >= 0; k--) if (need.has(all[k].out)) all[k].inputs.forEach((v) => made.has(v.slot) && need.add(v.slot));
  const members = all.filter((m) => need.has(m.out) && all.indexOf(m) <= all.indexOf(made.get(out)!));
  const reads: ViewRef[] = [];
  const scalars: number[] = [];
  for (const m of members) {
    for (const v of m.inputs) if (!made.has(v.slot) && !reads.some((r) => sameRef(r, v))) reads.push(v);
    scalars.push(...gpuForm(m)!.scalars);
  }
  return { members, out, reads, scalars: Float32Array.from(scalars), label: members.map((m) => (m.attrs.fn as string) ?? m.name).join(' ') };
}

const sameRef = (a: ViewRef, b: ViewRef) => a.slot === b.slot && a.offset === b.offset && a.dtype === b.dtype && sameShape(a.shape, b.shape) && a.strides.every((s, k) => s === b.strides[k]);

/** The kernel plan of a fused kernel over this call's operand views (layouts may differ between calls: host or device). */
function kernelPlan(fk: FusedKernel, views: View[]): KernelPlan {
  const shape = fk.members[fk.members.length - 1].shape;
  const ops = views.map((v) => operand(v, 'webgpu'));
  const { dims, strides } = coalesce(shape, ops.map((o) => o.strides));
  const flat = strides.map((s) => isRowMajor(dims, s));
  const lines = ['const i = this.thread.x;'];
  if (flat.some((f) => !f)) lines.push(...coordLines(dims, 'c', 'i', true));
  ops.forEach((o, k) => lines.push(`const v${k} = in${k}[${flat[k] ? (o.base ? `${o.base} + i` : 'i') : indexExpr(o.base, strides[k], 'c')}];`));
  let scalar = 0;
  fk.members.forEach((m, n) => {
    const form = gpuForm(m)!;
    const map = new Map(form.names.map((name, k) => {
      const v = m.inputs[k];
      const ext = fk.reads.findIndex((r) => sameRef(r, v));
      return [name, ext >= 0 ? `v${ext}` : `s${v.slot}`];
    }));
    const sc = (k: number) => `sc[${scalar + k}]`;
    const bind = (s: string) => bindNames(renameLocals(s, n), map).replace(/\be(\d)\b/g, (_m, k: string) => sc(Number(k))).replace(/\blo\b/g, sc(0)).replace(/\bhi\b/g, sc(1));
    const expr = form.expr;
    if (typeof expr === 'string') lines.push(`const s${m.out} = ${bind(expr)};`);
    else lines.push(...expr.lines.map(bind), `const s${m.out} = ${bind(expr.value)};`);
    scalar += form.scalars.length;
  });
  lines.push(`return s${fk.out};`);
  const body = lines.join('\n');
  const params = ops.map((_, k) => `in${k}`).concat(fk.scalars.length ? ['sc'] : []);
  // the source is the key: it holds every layout and the structure of the run
  return { key: `fused|${body}`, cells: Math.max(sizeOf(shape), 1), params, body: () => body, args: [...ops.map((o) => o.data), ...(fk.scalars.length ? [fk.scalars] : [])] };
}

export class GpuPlan implements RunnablePlan {
  readonly stats: PlanStats;
  readonly source: string;
  private readonly units: Unit[];
  private readonly fused = new Map<Unit, FusedKernel[]>();
  /** after which unit each slot may be freed (a tmp no effect, result or later call holds) */
  private readonly freeAfter = new Map<number, number[]>();
  private readonly consts = new Map<number, Storage>();
  private readonly result: Shape;

  constructor(
    private readonly tr: Tracer,
    result: unknown,
    containers: readonly Container[],
  ) {
    const { instrs, slots } = tr;
    this.units = units(tr);
    const escapes = new Set<number>();
    for (const ins of instrs) if (ins.k === 'effect') ins.uses.forEach((s) => escapes.add(s));
    this.result = shapeOf(result, (t) => escapes.add(tr.slotOf(t.storage)), containers);
    const unitOf = new Map<number, number>();
    this.units.forEach((u, k) => u.instrs.forEach((i) => unitOf.set(i, k)));
    const producer = new Map<number, number>();
    const readOutside = new Set<number>();
    const lastUse = new Map<number, number>();
    instrs.forEach((ins, i) => {
      const u = unitOf.get(i)!;
      const reads = ins.k === 'kernel' ? ins.inputs.map((v) => v.slot) : ins.k === 'write' ? [ins.dst.slot, ins.src.slot] : ins.uses;
      for (const s of reads) {
        lastUse.set(s, u);
        if (producer.get(s) !== u) readOutside.add(s);
      }
      if (ins.k === 'kernel') producer.set(ins.out, u);
    });
    for (const [s, u] of lastUse) {
      if (slots[s].kind !== 'tmp' || escapes.has(s)) continue;
      this.freeAfter.set(u, [...(this.freeAfter.get(u) ?? []), s]);
    }
    const lines: string[] = [];
    let kernels = 0;
    let fusedOps = 0;
    let effects = 0;
    for (const u of this.units) {
      if (u.fused) {
        const outs = u.instrs.map((i) => (instrs[i] as KernelInstr).out).filter((s) => readOutside.has(s) || escapes.has(s));
        const fks = outs.map((s) => fusedKernel(tr, u, s));
        this.fused.set(u, fks);
        fusedOps += u.instrs.length;
        for (const fk of fks) lines.push(`fused (1 kernel): ${fk.label} -> slot ${fk.out}`);
        continue;
      }
      const ins = instrs[u.instrs[0]];
      if (ins.k === 'kernel') {
        kernels++;
        lines.push(`kernel ${ins.name}${ins.attrs.fn ? ` ${String(ins.attrs.fn)}` : ''} [${ins.shape}] -> slot ${ins.out}`);
      } else if (ins.k === 'write') lines.push(`write slot ${ins.dst.slot} <- slot ${ins.src.slot} (through the host)`);
      else {
        effects++;
        lines.push(`effect ${ins.label.replace(/\n/g, ' ')}`);
      }
    }
    for (const s of slots) if (s.kind === 'const' && !instrs.some((i) => i.k === 'write' && i.dst.slot === s.id)) this.consts.set(s.id, new Storage(s.snapshot!.slice(), s.dtype));
    const fusedKernels = [...this.fused.values()].reduce((n, f) => n + f.length, 0);
    this.source = lines.join('\n');
    this.stats = { kernels: kernels + fusedKernels, fusedGroups: this.fused.size, wasmGroups: 0, fusedOps, effects, buffers: 0, bufferBytes: 0 };
  }

  run(args: readonly (Tensor | null)[]): unknown {
    const { tr } = this;
    const { slots, instrs } = tr;
    const T: (Storage | null)[] = slots.map((s) => {
      if (s.kind === 'ext') return s.storage!;
      if (s.kind === 'arg') return args[s.arg!]!.storage;
      if (s.kind === 'grad') {
        const i = tr.args.indexOf(s.holder!);
        return (i >= 0 ? args[i]! : s.holder!).grad!.storage;
      }
      // a const written in place starts from its snapshot at every call
      if (s.kind === 'const') return this.consts.get(s.id) ?? new Storage(s.snapshot!.slice(), s.dtype);
      return null; // made by this call
    });
    const view = (v: ViewRef): View => ({ storage: T[v.slot]!, shape: v.shape, strides: v.strides, offset: v.offset, dtype: v.dtype });
    const resolved = new Map<Tensor, Tensor>();
    const tensorOf = (t: Tensor): Tensor => {
      const i = tr.args.indexOf(t);
      if (i >= 0) return args[i]!;
      const slot = tr.knownSlot(t.storage);
      if (slot === undefined || slots[slot].kind === 'ext') return t;
      let r = resolved.get(t);
      if (!r) resolved.set(t, (r = new Tensor(T[slot]!, t.shape, t.strides, t.offset, t.dtype, t.origin.op)));
      return r;
    };
    const resolver: Resolver = { tensor: tensorOf };
    this.units.forEach((u, k) => {
      const fks = this.fused.get(u);
      if (fks) this.runFused(u, fks, T, view);
      else {
        const ins = instrs[u.instrs[0]];
        if (ins.k === 'kernel') T[ins.out] = runKernelStorage(ins.name, ins.inputs.map(view), ins.attrs, { shape: ins.shape, dtype: ins.dtype });
        else if (ins.k === 'write') {
          // a write in place goes through the host, as eagerly (its version bump drops the stale device copy)
          const dst = view(ins.dst);
          writeInto(dst, view(ins.src));
          dst.storage.version++;
        } else ins.replay(resolver);
      }
      for (const s of this.freeAfter.get(k) ?? []) {
        const st = T[s];
        // the device values of a value only this call held: freed once its last reader is posted
        if (st && !st.onHost) st.device?.release();
        T[s] = null;
      }
    });
    return rebuild(this.result, tensorOf);
  }

  private runFused(u: Unit, fks: FusedKernel[], T: (Storage | null)[], view: (v: ViewRef) => View): void {
    // host values the guard would keep off the GPU (NaN, ±Infinity, a fn's undefined domain): op by op, as eagerly
    const members = u.instrs.map((i) => this.tr.instrs[i] as KernelInstr);
    const declined = members.some((m) => {
      const host = m.inputs.filter((v) => T[v.slot] && !T[v.slot]!.device);
      return host.length > 0 && gpuDeclines(m.name, host.length === m.inputs.length ? m.inputs.map(view) : host.map(view), host.length === m.inputs.length ? m.attrs : undefined) !== null;
    });
    const keep = keepers.webgpu;
    if (declined || !keep || !gpuResident()) {
      for (const m of members) T[m.out] = runKernelStorage(m.name, m.inputs.map(view), m.attrs, { shape: m.shape, dtype: m.dtype });
      return;
    }
    for (const fk of fks) {
      const plan = kernelPlan(fk, fk.reads.map(view));
      countUploads('webgpu', plan.args);
      let values;
      try {
        values = keep(plan);
      } catch (e) {
        const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
        throw new Error(`internal error in the gpu.js webgpu backend, a compiled step's fused kernel (${fk.label}): ${why}. This is a bug in Nabla; NABLA_BACKEND=js avoids it meanwhile.`);
      }
      const dtype = fk.members[fk.members.length - 1].dtype;
      T[fk.out] = ArrayBuffer.isView(values) ? new Storage(values, dtype) : new Storage(null, dtype, values);
    }
  }

  check(args: readonly (Tensor | null)[]): string | null {
    return gradGuardFails(this.tr, args);
  }
}

/** compile()'s plan on webgpu while results stay on the GPU (the one entry point: runtime/compile/backend-plans.ts). */
export function webgpuPlan(tr: Tracer, result: unknown, containers: readonly Container[]): GpuPlan | null {
  if (getBackend().name !== 'webgpu' || !gpuResident()) return null;
  return new GpuPlan(tr, result, containers);
}
