import { getBackend, runKernelStorage } from '../../backend';
import { gpuBug } from '../../errors';
import { REBIND_GRAD } from '../../hooks';
import type { PlanStats } from '../../plan-step';
import type { Instr, Resolver, TraceRecord, ViewRef } from '../../trace';
import { gradGuardFails, rebuild, shapeOf, type Container, type RunnablePlan, type Shape } from '../../trace-replay';
import { extrasOf } from '../../ops/registry';
import { isContiguous, sameShape, sizeOf } from '../../shape';
import { Storage, type DeviceData, type View } from '../../storage';
import { Tensor } from '../../tensor';
import { writeInto } from '../js/layout';
import { GPU_BINARY_EXPR, GPU_UNARY_EXPR, WHERE_EXPR, CLAMP_EXPR, type GpuExpr } from './exprs';
import { gpuDeclines } from './guard';
import { coalesce, coordLines, indexExpr, isRowMajor, operand, type Operand } from './layout';
import type { Plan as KernelPlan } from './plans';
import { CACHED_UPLOAD, countUploads, deviceCopyFor, gpuResident, keepers } from './resident';
import { accumulatesInto, gradAccumulations, type GradAccumulation } from './grad-accumulate';
import { buildOnAgent, webgpuStorageBuffers } from './webgpu';

/**
 * compile() on webgpu (README.md, "Compiled plans on webgpu"): a replay that keeps every value on the GPU.
 * The generic plan (runtime/compile/plan.ts) writes each kernel's result into host buffers, so on webgpu it
 * read every result back; this one replays the trace against device values instead:
 * - elementwise kernels (unary, binary, where, clamp, copy, as the trace ran them on webgpu) are inlined into
 *   the elementwise kernels that read them at their own element: one generated gpu.js kernel per value that
 *   must exist in GPU memory (read by a matmul or a reduce, by a broadcast, returned, stored in a .grad), its
 *   body the whole elementwise expression back to such values. A value two of them need is computed in both
 *   (a few flops against a dispatch and a buffer); a chain never crosses an in-place write or an effect, which
 *   could change what it reads, and is cut at CHAIN_CAP ops;
 * - a lone copy of a value nothing else reads (the .grad a backward hands over) is that value: no kernel;
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

/** The GPU form of a fusible call over operand names (x | a, b | c, a, b) and its scalars, or null. */
function gpuForm(ins: KernelInstr): { expr: GpuExpr; names: string[]; scalars: number[] } | null {
  if (
    ins.backend !== 'webgpu' ||
    !FUSIBLE.has(ins.name) ||
    !FLOATS.has(ins.dtype) ||
    ins.inputs.some((v) => !FLOATS.has(v.dtype))
  )
    return null;
  const fn = ins.attrs.fn as string;
  if (ins.name === 'unary') {
    const expr = GPU_UNARY_EXPR[fn];
    return expr === undefined ? null : { expr, names: ['x'], scalars: extrasOf(fn, ins.attrs) };
  }
  if (ins.name === 'binary')
    return GPU_BINARY_EXPR[fn] === undefined ? null : { expr: GPU_BINARY_EXPR[fn], names: ['a', 'b'], scalars: [] };
  if (ins.name === 'where') return { expr: WHERE_EXPR, names: ['c', 'a', 'b'], scalars: [] };
  if (ins.name === 'copy') return { expr: 'x', names: ['x'], scalars: [] };
  // as plans.ts's clamp: a GPU may assume no infinities, so the largest float32 stands for a missing bound
  const none = 3.4028234663852886e38;
  return {
    expr: CLAMP_EXPR,
    names: ['x'],
    scalars: [(ins.attrs.min as number | null) ?? -none, (ins.attrs.max as number | null) ?? none],
  };
}

const scalarsOf = (m: KernelInstr) => (m.name === 'matmul' ? [] : gpuForm(m)!.scalars);

/** Whether a consumer reads a producer's value at its own element (what an inlined expression computes). */
const sameIndex = (v: ViewRef, shape: readonly number[]) =>
  v.offset === 0 && sameShape(v.shape, shape) && isContiguous(v.shape, v.strides);

/** Most elementwise ops inlined into one kernel: bounds the source a hostile trace makes (the rest is materialized). */
const CHAIN_CAP = 48;
/**
 * Most arrays one kernel reads (its operands and its scalars): gpu.js binds the output and each argument as a
 * storage buffer, and a device allows maxStorageBuffersPerShaderStage of them (WebGPU's default 8; Dawn on
 * lavapipe gives 16 when asked, dawn.ts); two are left for the output and a margin.
 */
const maxArrays = () => webgpuStorageBuffers() - 2;

/** A dispatch of a replay, at its place in the trace. */
type Step =
  | { k: 'fused'; at: number; fk: FusedKernel }
  | { k: 'alias'; at: number; out: number; src: number }
  | { k: 'kernel'; at: number }
  | { k: 'write'; at: number }
  | { k: 'effect'; at: number };

/** `t_` names of a GPU form, made unique per use (two tanh in one kernel must not declare t_e twice). */
const renameLocals = (s: string, n: number) => s.replace(/\bt_(\w+)/g, `t${n}_$1`);
/** One-letter operand names, not after a dot (Math.max) and not inside a longer identifier. */
const bindNames = (s: string, map: Map<string, string>) =>
  s.replace(/(?<![.\w])([a-z])(?!\w)/g, (m) => map.get(m) ?? m);

/** One generated kernel: the value of `out`, from its members (in trace order) over external operands. */
export interface FusedKernel {
  members: KernelInstr[];
  out: number;
  /** external operands, as the trace saw them */
  reads: ViewRef[];
  /** every member's scalars, in order (the kernel's `sc` argument) */
  scalars: Float32Array;
  label: string;
}

const sameRef = (a: ViewRef, b: ViewRef) =>
  a.slot === b.slot &&
  a.offset === b.offset &&
  a.dtype === b.dtype &&
  sameShape(a.shape, b.shape) &&
  a.strides.every((s, k) => s === b.strides[k]);

/** Whether an instruction is a matmul the trace ran on webgpu that a fused kernel can compute inline (the planner's cases). */
function inlineMatmul(ins: Instr): ins is KernelInstr {
  if (ins.k !== 'kernel' || ins.name !== 'matmul' || ins.backend !== 'webgpu' || ins.dtype !== 'float32') return false;
  const r = ins.shape.length;
  const [a, b] = ins.inputs;
  return (
    r >= 2 &&
    a.shape.length === r &&
    b.shape.length === r &&
    a.dtype === 'float32' &&
    b.dtype === 'float32' &&
    a.shape[r - 1] <= MAX_INLINE_K
  );
}

/** Longest dot product a fused kernel computes inline (each kernel that needs the value computes it again). */
const MAX_INLINE_K = 256;

/** A matmul member's lines: its value at the kernel's cell `i`, as plans.ts's matmul computes it (f32 accumulation). */
function matmulLines(m: KernelInstr, n: number, a: { o: Operand; k: number }, b: { o: Operand; k: number }): string[] {
  const r = m.shape.length;
  const K = m.inputs[0].shape[r - 1];
  const sa = [...a.o.strides.slice(0, r - 2), a.o.strides[r - 2], 0];
  const sb = [...b.o.strides.slice(0, r - 2), 0, b.o.strides[r - 1]];
  const [sak, sbk] = [a.o.strides[r - 1], b.o.strides[r - 2]];
  const { dims, strides } = coalesce(m.shape, [sa, sb]);
  const c = `m${n}c`;
  const k = `k${n}`;
  const step = (s: number) => (s === 1 ? k : `${k} * ${s}`);
  return [
    ...coordLines(dims, c, 'i', true),
    `const m${n}a = ${indexExpr(a.o.base, strides[0], c)};`,
    `const m${n}b = ${indexExpr(b.o.base, strides[1], c)};`,
    `let s${m.out} = 0;`,
    `for (let ${k} = 0; ${k} < ${K}; ${k}++) {`,
    `s${m.out} += in${a.k}[m${n}a + ${step(sak)}] * in${b.k}[m${n}b + ${step(sbk)}];`,
    '}',
  ];
}

/** The kernel plan of a fused kernel over this call's operand views (layouts may differ between calls: host or device). */
function kernelPlan(fk: FusedKernel, views: View[]): KernelPlan {
  const shape = fk.members[fk.members.length - 1].shape;
  const ops = views.map((v) => operand(v, 'webgpu'));
  const inside = new Set(fk.members.map((m) => m.out));
  const indexOf = (v: ViewRef) => fk.reads.findIndex((r) => sameRef(r, v));
  // operands an elementwise member reads at the cell's own position (a matmul member indexes its own)
  const elementwise = [
    ...new Set(
      fk.members
        .filter((m) => m.name !== 'matmul')
        .flatMap((m) => m.inputs.filter((v) => !inside.has(v.slot)).map(indexOf)),
    ),
  ];
  const { dims, strides } = coalesce(
    shape,
    elementwise.map((k) => ops[k].strides),
  );
  const flat = strides.map((s) => isRowMajor(dims, s));
  const lines = ['const i = this.thread.x;'];
  if (flat.some((f) => !f)) lines.push(...coordLines(dims, 'c', 'i', true));
  elementwise.forEach((k, j) =>
    lines.push(
      `const v${k} = in${k}[${flat[j] ? (ops[k].base ? `${ops[k].base} + i` : 'i') : indexExpr(ops[k].base, strides[j], 'c')}];`,
    ),
  );
  let scalar = 0;
  fk.members.forEach((m, n) => {
    if (m.name === 'matmul') {
      const [a, b] = m.inputs.map(indexOf);
      lines.push(...matmulLines(m, n, { o: ops[a], k: a }, { o: ops[b], k: b }));
      return;
    }
    const form = gpuForm(m)!;
    const map = new Map(
      form.names.map((name, k) => {
        const v = m.inputs[k];
        return [name, inside.has(v.slot) ? `s${v.slot}` : `v${indexOf(v)}`];
      }),
    );
    const at = scalar;
    const sc = (k: number) => `sc[${at + k}]`;
    const bind = (s: string) =>
      bindNames(renameLocals(s, n), map)
        .replace(/\be(\d)\b/g, (_m, k: string) => sc(Number(k)))
        .replace(/\blo\b/g, sc(0))
        .replace(/\bhi\b/g, sc(1));
    const expr = form.expr;
    if (typeof expr === 'string') lines.push(`const s${m.out} = ${bind(expr)};`);
    else lines.push(...expr.lines.map(bind), `const s${m.out} = ${bind(expr.value)};`);
    scalar += form.scalars.length;
  });
  lines.push(`return s${fk.out};`);
  const body = lines.join('\n');
  const params = ops.map((_, k) => `in${k}`).concat(fk.scalars.length ? ['sc'] : []);
  // the source and the size are the key: the source holds every layout and the structure of the expression, but
  // not the size where every operand is read flat (gpu.js fixes a kernel's output size when it builds it)
  const cells = Math.max(sizeOf(shape), 1);
  return {
    key: `fused|${cells}|${body}`,
    cells,
    params,
    body: () => body,
    args: [...ops.map((o) => o.data), ...(fk.scalars.length ? [fk.scalars] : [])],
  };
}

/** What each slot is read by: the instructions, with the view each reads it through. */
function readersOf(tr: TraceRecord): Map<number, { at: number; view: ViewRef | null }[]> {
  const readers = new Map<number, { at: number; view: ViewRef | null }[]>();
  const add = (slot: number, at: number, view: ViewRef | null) =>
    readers.set(slot, [...(readers.get(slot) ?? []), { at, view }]);
  tr.instrs.forEach((ins, at) => {
    if (ins.k === 'kernel') ins.inputs.forEach((v) => add(v.slot, at, v));
    else if (ins.k === 'write') [ins.dst, ins.src].forEach((v) => add(v.slot, at, null));
    else ins.uses.forEach((s) => add(s, at, null));
  });
  return readers;
}

export class GpuPlan implements RunnablePlan {
  readonly stats: PlanStats;
  readonly source: string;
  private readonly steps: Step[] = [];
  /** after which step each slot may be freed (a value only this call holds) */
  private readonly freeAfter = new Map<number, number[]>();
  private readonly consts = new Map<number, Storage>();
  private readonly result: Shape;
  /** .grads the plan accumulates into itself, by the `.grad = ...` effect that assigns them (grad-accumulate.ts) */
  private readonly accumulations = new Map<number, GradAccumulation>();

  constructor(
    private readonly tr: TraceRecord,
    result: unknown,
    containers: readonly Container[],
  ) {
    const { instrs, slots } = tr;
    const escapes = new Set<number>();
    for (const ins of instrs) if (ins.k === 'effect') ins.uses.forEach((s) => escapes.add(s));
    const resultSlots = new Set<number>();
    this.result = shapeOf(
      result,
      (t) => {
        escapes.add(tr.slotOf(t.storage));
        resultSlots.add(tr.slotOf(t.storage));
      },
      containers,
    );
    const readers = readersOf(tr);
    for (const a of gradAccumulations(tr, readers, resultSlots)) this.accumulations.set(a.at, a);
    // what a chain may not cross: a write, or an effect that may change values (not one that only rebinds a .grad)
    const barriers = instrs.flatMap((ins, at) =>
      ins.k === 'kernel' || (ins.k === 'effect' && ins.label === REBIND_GRAD) ? [] : [at],
    );
    // elementwise kernels, which read their operands at their own element
    const fusible = (at: number) => {
      const ins = instrs[at];
      return ins.k === 'kernel' && sizeOf(ins.shape) > 0 && gpuForm(ins) !== null;
    };
    // and what may be inlined into them: those, and matmuls (a dot product per cell)
    const member = (at: number) => fusible(at) || inlineMatmul(instrs[at]);
    const producer = new Map<number, number>();
    instrs.forEach((ins, at) => ins.k === 'kernel' && producer.set(ins.out, at));

    // which elementwise values must exist in GPU memory; the others are inlined into their readers
    const stored = new Set<number>();
    instrs.forEach((ins, at) => {
      if (ins.k !== 'kernel' || !member(at)) return;
      const s = ins.out;
      if (escapes.has(s)) return void stored.add(s);
      for (const r of readers.get(s) ?? []) {
        const ok =
          r.view !== null &&
          fusible(r.at) &&
          sameShape((instrs[r.at] as KernelInstr).shape, ins.shape) &&
          sameIndex(r.view, ins.shape) &&
          !barriers.some((b) => b > at && b < r.at);
        if (!ok) return void stored.add(s);
      }
      if (!readers.get(s)?.length) stored.add(s); // read by nothing: the trace made it, so the replay does
    });
    // the inlined expression of each elementwise value, cut at CHAIN_CAP by storing its inputs
    const chain = new Map<number, number[]>();
    const most = maxArrays();
    const arraysOf = (members: number[]) => {
      const ms = members.map((i) => instrs[i] as KernelInstr);
      const inside = new Set(ms.map((m) => m.out));
      const ext: ViewRef[] = [];
      for (const m of ms)
        for (const v of m.inputs) if (!inside.has(v.slot) && !ext.some((r) => sameRef(r, v))) ext.push(v);
      return ext.length + (ms.some((m) => scalarsOf(m).length) ? 1 : 0);
    };
    instrs.forEach((ins, at) => {
      if (ins.k !== 'kernel' || !member(at)) return;
      const inner = () =>
        ins.inputs.filter((v) => producer.has(v.slot) && member(producer.get(v.slot)!) && !stored.has(v.slot));
      let members = [...new Set([...inner().flatMap((v) => chain.get(v.slot)!), at])];
      if (members.length > CHAIN_CAP || arraysOf(members) > most) {
        inner().forEach((v) => stored.add(v.slot));
        members = [at];
      }
      chain.set(
        ins.out,
        members.sort((x, y) => x - y),
      );
    });

    const lastUse = new Map<number, number>();
    const reads = (slot: number, step: number) => lastUse.set(slot, step);
    const lines: string[] = [];
    let kernels = 0;
    let fusedOps = 0;
    let effects = 0;
    instrs.forEach((ins, at) => {
      const step = this.steps.length;
      // a stored matmul runs as the op layer runs it; an inlined one is part of its readers' kernels
      if (ins.k === 'kernel' && member(at) && (fusible(at) || !stored.has(ins.out))) {
        if (!stored.has(ins.out)) return;
        const members = chain.get(ins.out)!.map((i) => instrs[i] as KernelInstr);
        const inside = new Set(members.map((m) => m.out));
        const ext: ViewRef[] = [];
        for (const m of members)
          for (const v of m.inputs) if (!inside.has(v.slot) && !ext.some((r) => sameRef(r, v))) ext.push(v);
        // a copy of a value that nothing reads after it and no one else holds: the value itself
        const src = ext[0];
        if (
          members.length === 1 &&
          ins.name === 'copy' &&
          slots[src.slot].kind === 'tmp' &&
          !escapes.has(src.slot) &&
          sameIndex(src, ins.shape) &&
          src.dtype === ins.dtype &&
          (readers.get(src.slot) ?? []).every((r) => r.at <= at)
        ) {
          this.steps.push({ k: 'alias', at, out: ins.out, src: src.slot });
          lastUse.delete(src.slot); // handed on, not freed
          lines.push(`alias slot ${ins.out} = slot ${src.slot} (a copy nothing else needs)`);
          return;
        }
        ext.forEach((v) => reads(v.slot, step));
        const scalars = Float32Array.from(members.flatMap(scalarsOf));
        const label = members.map((m) => (m.attrs.fn as string) ?? m.name).join(' ');
        this.steps.push({ k: 'fused', at, fk: { members, out: ins.out, reads: ext, scalars, label } });
        kernels++;
        fusedOps += members.length;
        lines.push(`kernel (fused ${members.length}): ${label} -> slot ${ins.out}`);
        return;
      }
      if (ins.k === 'kernel') {
        ins.inputs.forEach((v) => reads(v.slot, step));
        this.steps.push({ k: 'kernel', at });
        kernels++;
        lines.push(
          `kernel ${ins.name}${ins.attrs.fn ? ` ${String(ins.attrs.fn)}` : ''} [${ins.shape}] -> slot ${ins.out}`,
        );
      } else if (ins.k === 'write') {
        [ins.dst.slot, ins.src.slot].forEach((s) => reads(s, step));
        this.steps.push({ k: 'write', at });
        lines.push(`write slot ${ins.dst.slot} <- slot ${ins.src.slot} (through the host)`);
      } else {
        ins.uses.forEach((s) => reads(s, step));
        this.steps.push({ k: 'effect', at });
        effects++;
        const a = this.accumulations.get(at);
        if (a) lines.push(`kernel (when .grad is set): slot ${a.slot} = .grad + slot ${a.slot}`);
        lines.push(`effect ${ins.label.replace(/\n/g, ' ')}`);
      }
    });
    for (const [s, step] of lastUse) {
      if (slots[s].kind !== 'tmp' || escapes.has(s)) continue;
      this.freeAfter.set(step, [...(this.freeAfter.get(step) ?? []), s]);
    }
    for (const s of slots)
      if (s.kind === 'const' && !instrs.some((i) => i.k === 'write' && i.dst.slot === s.id))
        this.consts.set(s.id, new Storage(s.snapshot!.slice(), s.dtype));
    this.source = lines.join('\n');
    this.buildKernels();
    this.stats = {
      kernels,
      fusedGroups: this.steps.filter((s) => s.k === 'fused').length,
      wasmGroups: 0,
      fusedOps,
      effects,
      buffers: 0,
      bufferBytes: 0,
    };
  }

  /**
   * Has the agent build every generated kernel of this plan now, so that no replay compiles a pipeline (issue
   * 16: none after the first step). A kernel's source and key depend on its operands' layouts and on which of
   * them are device values, so each is planned over stand-ins of what a replay will pass: the real storage
   * for values from outside the call (arguments, .grads, constants: made device copies then, as a replay
   * would), and for values the call makes, a device value where a fused kernel or a webgpu kernel makes it, a
   * host one where js does. The plan's other kernels (matmul, reduce, the optimizer's) ran in the trace
   * itself over the same layouts, so they are built already. A wrong guess costs a compilation at the first
   * replay, never a wrong value (the replay plans from its own operands); the counters test sees it.
   */
  private buildKernels(): void {
    const { slots, instrs } = this.tr;
    const made = new Map<number, Storage>();
    const readByOpLayer = new Set(
      this.steps.flatMap((step) =>
        step.k === 'kernel' ? (instrs[step.at] as KernelInstr).inputs.map((v) => v.slot) : [],
      ),
    );
    const deviceStandIn = (length: number): DeviceData => ({
      backend: 'webgpu',
      length,
      read: () => {
        throw gpuBug('a compiled plan building its kernels', 'a stand-in device value was read');
      },
      release: () => {},
    });
    const hostStandIn = (dtype: Storage['dtype'], length: number) => {
      const st = new Storage(new Float32Array(length), dtype);
      st.hostOnly = true; // a stand-in: no device copy of it is made (size decides below, as deviceCopyFor does)
      return st;
    };
    const storageOf = (slot: number): Storage => {
      const s = slots[slot];
      if (!s) return made.get(slot)!; // a slot the plan adds (an accumulation's .grad)
      if (s.kind === 'ext' || (s.kind === 'const' && this.consts.has(s.id))) {
        // a value every replay reads as it is (the PINN's f): a device copy now, rather than its values sent with
        // the kernel at every replay (an in-place write drops the copy, as for any storage: then they are sent)
        // (not one a kernel of the op layer reads too: that kernel was built in the trace for host values)
        const st = s.kind === 'ext' ? s.storage! : this.consts.get(s.id)!;
        if (!st.device && !st.hostOnly && !readByOpLayer.has(slot)) deviceCopyFor(st, 'webgpu', true);
        return st;
      }
      if (s.kind === 'arg') return this.tr.args[s.arg!]!.storage;
      if (s.kind === 'grad') return this.tr.gradGuards.find((g) => g.holder === s.holder)!.was!.storage;
      if (s.kind === 'const') return hostStandIn(s.dtype, s.length);
      return made.get(slot) ?? hostStandIn(s.dtype, s.length);
    };
    const device = (slot: number) => new Storage(null, slots[slot].dtype, deviceStandIn(slots[slot].length));
    for (const step of this.steps) {
      const a = step.k === 'effect' ? this.accumulations.get(step.at) : undefined;
      if (a) {
        // the .grad there is then: the value the last call assigned, which a fused kernel made on the device
        made.set(a.prevSlot, device(a.slot));
        buildOnAgent(
          kernelPlan(
            a.fk,
            a.fk.reads.map((v) => ({ ...v, storage: storageOf(v.slot) }) as View),
          ),
        );
      }
      if (step.k === 'alias') made.set(step.out, storageOf(step.src));
      else if (step.k === 'fused') {
        const views = step.fk.reads.map((v) => ({ ...v, storage: storageOf(v.slot) }) as View);
        buildOnAgent(kernelPlan(step.fk, views));
        made.set(step.fk.out, device(step.fk.out));
      } else if (step.k === 'kernel') {
        const ins = instrs[step.at] as KernelInstr;
        const onDevice = ins.backend === 'webgpu' || slots[ins.out].length >= CACHED_UPLOAD;
        made.set(ins.out, onDevice ? device(ins.out) : hostStandIn(ins.dtype, slots[ins.out].length));
      }
    }
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
    for (let k = 0; k < 2 * this.accumulations.size; k++) T.push(null); // their extra slots
    const view = (v: ViewRef): View => ({
      storage: T[v.slot]!,
      shape: v.shape,
      strides: v.strides,
      offset: v.offset,
      dtype: v.dtype,
    });
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
    const holderOf = (h: Tensor) => {
      const i = tr.args.indexOf(h);
      return i >= 0 ? args[i]! : h;
    };
    this.steps.forEach((step, n) => {
      const ins = instrs[step.at];
      if (step.k === 'fused') T[step.fk.out] = this.runFused(step.fk, T, view);
      else if (step.k === 'alias') T[step.out] = T[step.src];
      else if (ins.k === 'kernel')
        T[ins.out] = runKernelStorage(ins.name, ins.inputs.map(view), ins.attrs, {
          shape: ins.shape,
          dtype: ins.dtype,
        });
      else if (ins.k === 'write') {
        // a write in place goes through the host, as eagerly (its version bump drops the stale device copy)
        const dst = view(ins.dst);
        writeInto(dst, view(ins.src));
        dst.storage.version++;
      } else {
        const a = this.accumulations.get(step.at);
        const prev = a && holderOf(a.holder).grad;
        if (a && prev) {
          T[a.prevSlot] = prev.storage;
          const value = T[a.slot]!;
          T[a.slot] = this.runFused(a.fk, T, view);
          // the value the trace assigned is seen by nothing else (grad-accumulate.ts): freed once the sum is posted
          if (!value.onHost) value.device?.release();
        }
        ins.replay(resolver);
      }
      for (const s of this.freeAfter.get(n) ?? []) {
        const st = T[s];
        // the device values of a value only this call held: freed once its last reader is posted
        if (st && !st.onHost) st.device?.release();
        T[s] = null;
      }
    });
    return rebuild(this.result, tensorOf);
  }

  private runFused(fk: FusedKernel, T: (Storage | null)[], view: (v: ViewRef) => View): Storage {
    const dtype = fk.members[fk.members.length - 1].dtype;
    const keep = keepers.webgpu;
    // host values the guard keeps off the GPU (NaN, ±Infinity, a fn's undefined domain): op by op, as eagerly
    const host = fk.reads.filter((v) => !T[v.slot]!.device);
    if (
      !keep ||
      !gpuResident() ||
      (host.length && host.some((v) => gpuDeclines('copy', [view(v)]) !== null)) ||
      this.outsideDomain(fk, T, view)
    ) {
      const local = [...T];
      for (const m of fk.members)
        local[m.out] = runKernelStorage(
          m.name,
          m.inputs.map((v) => ({ ...view(v), storage: local[v.slot]! })),
          m.attrs,
          { shape: m.shape, dtype: m.dtype },
        );
      return local[fk.out]!;
    }
    const plan = kernelPlan(fk, fk.reads.map(view));
    countUploads('webgpu', plan.args);
    let values;
    try {
      values = keep(plan);
    } catch (e) {
      const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
      throw gpuBug(`the gpu.js webgpu backend, a compiled step's fused kernel (${fk.label})`, why);
    }
    return ArrayBuffer.isView(values) ? new Storage(values, dtype) : new Storage(null, dtype, values);
  }

  /** Whether a member whose inputs are all host values is outside its fn's GPU domain (guard.ts), as eagerly. */
  private outsideDomain(fk: FusedKernel, T: (Storage | null)[], view: (v: ViewRef) => View): boolean {
    const inside = new Set(fk.members.map((m) => m.out));
    return fk.members.some(
      (m) =>
        m.inputs.every((v) => !inside.has(v.slot) && !T[v.slot]!.device) &&
        gpuDeclines(m.name, m.inputs.map(view), m.attrs) !== null,
    );
  }

  check(args: readonly (Tensor | null)[]): string | null {
    const { tr } = this;
    const mine = new Set([...this.accumulations.values()].map((a) => a.holder));
    for (const a of this.accumulations.values()) {
      const i = tr.args.indexOf(a.holder);
      if (!accumulatesInto(a, (i >= 0 ? args[i]! : a.holder).grad))
        return 'a .grad it accumulates into is not the tensor it was when traced';
    }
    if (!mine.size) return gradGuardFails(tr, args);
    // the other guards as usual (the trace's own record, with the accumulated ones left out)
    const rest = Object.create(tr, { gradGuards: { value: tr.gradGuards.filter((g) => !mine.has(g.holder)) } });
    return gradGuardFails(rest as TraceRecord, args);
  }
}

/** compile()'s plan on webgpu while results stay on the GPU: the webgpu backend's `compileTrace` (runtime/backend.ts). */
export function webgpuPlan(tr: TraceRecord, result: unknown, containers: readonly Container[]): GpuPlan | null {
  if (getBackend().name !== 'webgpu' || !gpuResident()) return null;
  return new GpuPlan(tr, result, containers);
}
