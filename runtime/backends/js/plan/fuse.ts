import { extrasOf, KERNEL_FN_TABLE } from '../../../ops/registry';
import { isContiguous, sizeOf } from '../../../shape';
import type { Instr, KernelInstr, Slot, ViewRef } from '../../../trace';
import { binaryExpr, CLAMP_JS, unaryExpr, WHERE_JS } from '../fns';
import type { PlanInput } from '../../../plan-step';
import { bug } from '../../../errors';

/**
 * Elementwise fusion: consecutive elementwise kernels over the same number of elements become one loop in
 * which values that only the group itself reads live in registers, never in memory. Each op still rounds to
 * its dtype where the eager kernel's store would (Math.fround for float32), and uses the same expression
 * (../fns.ts), so fused results equal eager ones bit for bit. Kernels that ran on the js backend
 * fuse, and those gpu.js's host engines ran whose result is one IEEE operation (see EXACT_FNS); any other
 * call stays a call.
 *
 * The loop runs over R rows of C columns. An input is read as `off + r * sr + c * sc`: that covers
 * contiguous values, a broadcast scalar, a broadcast row (a bias) or column, and a transposed matrix.
 */
/** A step of a plan: one instruction, or a fused group of elementwise kernels walking R rows of C. */
export interface Unit {
  /** Indexes into the trace's instructions. */
  instrs: number[];
  fused: boolean;
  R: number;
  C: number;
}

export interface Access {
  sr: number;
  sc: number;
  /** Reads element i of a row-major walk at off + i, whatever R and C are. */
  flat: boolean;
  scalar: boolean;
}

const ELEMENTWISE = new Set(['unary', 'binary', 'where', 'clamp', 'copy']);
const REAL = new Set(['float32', 'float64', 'bool']);

/**
 * Ops whose float32 result is one correctly rounded IEEE operation (or exact), so gpu.js's cpu mode (doubles,
 * stored as float32) and webasm mode (f32 arithmetic) compute the same bits the js kernel does; a call either
 * of them ran eagerly may run fused instead. Math functions (tanh, exp, ...) differ between engines by
 * ulps, and GPU modes do not promise IEEE rounding for ÷ and √, so those calls stay calls.
 */
const EXACT_FNS = new Set([...KERNEL_FN_TABLE.values()].filter((e) => e.exactBits).map((e) => e.name));
const HOST_ENGINES = new Set(['cpu', 'webasm']);

function sameBitsAsJs(ins: KernelInstr): boolean {
  if (ins.backend === 'js') return true;
  if (!HOST_ENGINES.has(ins.backend)) return false;
  return ins.name === 'copy' || ins.name === 'where' || EXACT_FNS.has(ins.attrs.fn as string);
}

/** The expression of a fusible kernel over inputs named i0, i1, ...; null when it does not fuse. */
export function exprOf(ins: KernelInstr): string | null {
  if (!ELEMENTWISE.has(ins.name) || !REAL.has(ins.dtype) || !sameBitsAsJs(ins)) return null;
  if (ins.inputs.some((v) => !REAL.has(v.dtype))) return null;
  let e: string | undefined;
  let names: string[];
  if (ins.name === 'unary') {
    // an op's params (leaky_relu's slope) are the kernel's extra scalars e0, e1, ...: constants here
    const extras = extrasOf(ins.attrs.fn as string, ins.attrs);
    [e, names] = [
      unaryExpr(ins.attrs.fn as string, ins.dtype)?.replace(/\be(\d)\b/g, (_m, k: string) => lit(extras[Number(k)])),
      ['x'],
    ];
  } else if (ins.name === 'binary') [e, names] = [binaryExpr(ins.attrs.fn as string, ins.dtype), ['a', 'b']];
  else if (ins.name === 'where') [e, names] = [WHERE_JS, ['c', 'a', 'b']];
  else if (ins.name === 'copy') [e, names] = ['x', ['x']];
  else {
    const lo = (ins.attrs.min as number | null) ?? -Infinity;
    const hi = (ins.attrs.max as number | null) ?? Infinity;
    [e, names] = [CLAMP_JS.replace(/\be0\b/g, lit(lo)).replace(/\be1\b/g, lit(hi)), ['x']];
  }
  if (!e) return null;
  const map = new Map(names.map((n, k) => [n, `i${k}`]));
  // one-letter operand names, not after a dot (Math.max, H.tanh32) and not inside a longer identifier
  return e.replace(/(?<![.\w])([a-z])(?!\w)/g, (m) => map.get(m) ?? m);
}

export const lit = (v: number) => (Object.is(v, -0) ? '-0' : v < 0 ? `(${v})` : String(v));

/**
 * How an input view (expanded to its kernel's output shape) is read in a walk of that shape as R rows of
 * C = its last dim: flat (contiguous: element i at off + i, whatever the walk), a scalar, or with a row and a
 * column stride; null when the leading dims do not fold into one row stride.
 */
export function accessOf(v: ViewRef): Access | null {
  const rank = v.shape.length;
  if (v.shape.every((d, k) => d === 1 || v.strides[k] === 0)) return { sr: 0, sc: 0, flat: false, scalar: true };
  if (isContiguous(v.shape, v.strides)) return { sr: 0, sc: 1, flat: true, scalar: false };
  const sc = rank && v.shape[rank - 1] > 1 ? v.strides[rank - 1] : 0;
  let sr = 0;
  let span = 1; // rows covered by the leading dims after d
  let found = false;
  for (let d = rank - 2; d >= 0; d--) {
    if (v.shape[d] === 1) continue;
    if (!found) {
      sr = v.strides[d];
      found = true;
    } else if (v.strides[d] !== sr * span) return null;
    span *= v.shape[d];
  }
  return { sr, sc, flat: false, scalar: false };
}

/** Whether a view reads its storage's element i at step i (what a register of the producer holds). */
export function sameIndex(v: ViewRef, slot: Slot): boolean {
  return v.offset === 0 && isContiguous(v.shape, v.strides) && sizeOf(v.shape) === slot.length;
}

/**
 * Splits the trace into units: runs of consecutive fusible kernels over one element count and one R × C
 * walk (a run stops where a member would read a value the run made at another element than its own), and
 * everything else one instruction a unit.
 */
export function group(tr: PlanInput): Unit[] {
  const units: Unit[] = [];
  let cur: (Unit & { n: number; fixed: boolean; outs: Set<number> }) | null = null;
  const close = () => {
    if (cur) units.push({ instrs: cur.instrs, fused: true, R: cur.R, C: cur.C });
    cur = null;
  };
  tr.instrs.forEach((ins, i) => {
    const dom = ins.k === 'kernel' ? domainOf(tr, ins) : null;
    if (!dom) {
      close();
      units.push({ instrs: [i], fused: false, R: 1, C: 1 });
      return;
    }
    const k = ins as KernelInstr;
    const fits = (c: NonNullable<typeof cur>) =>
      c.n === dom.n &&
      (!dom.fixed || !c.fixed || (c.R === dom.R && c.C === dom.C)) &&
      k.inputs.every((v) => !c.outs.has(v.slot) || sameIndex(v, tr.slots[v.slot]));
    if (cur && !fits(cur)) close();
    if (!cur) cur = { instrs: [], fused: true, R: 1, C: dom.n, n: dom.n, fixed: false, outs: new Set() };
    if (dom.fixed && !cur.fixed) Object.assign(cur, { R: dom.R, C: dom.C, fixed: true });
    cur.instrs.push(i);
    cur.outs.add(k.out);
  });
  close();
  return units;
}

/** The walk a fusible kernel needs: fixed when some input is not read flat (a broadcast row, a transpose). */
function domainOf(tr: PlanInput, ins: Instr): { n: number; R: number; C: number; fixed: boolean } | null {
  if (ins.k !== 'kernel' || !exprOf(ins)) return null;
  const n = sizeOf(ins.shape);
  if (n === 0) return null;
  const C = ins.shape.length ? ins.shape[ins.shape.length - 1] : 1;
  const R = n / C;
  let fixed = false;
  for (const v of ins.inputs) {
    if (sizeOf(v.shape) !== n && sizeOf(v.shape) > 1) return null;
    const acc = accessOf(v);
    if (!acc) return null;
    if (!acc.flat && !acc.scalar) fixed = true;
  }
  void tr;
  return { n, R, C, fixed };
}

/** One JS loop for a fused group: registers for values only the group reads, a Math.fround per float32 op. */
export function jsLoop(
  tr: PlanInput,
  u: Unit,
  stored: (s: number) => boolean,
  restored: (slot: number) => boolean,
): string {
  const { slots, instrs } = tr;
  const members = u.instrs.map((i) => instrs[i] as KernelInstr);
  const inGroup = new Set(members.map((m) => m.out));
  const head: string[] = [];
  const row: string[] = [];
  const cell: string[] = [];
  const arrays = new Map<number, string>();
  const arr = (slot: number) => {
    let a = arrays.get(slot);
    if (!a) {
      a = `a${slot}`;
      arrays.set(slot, a);
      head.push(`const ${a} = T[${slot}].host;`);
    }
    return a;
  };
  const reads = new Map<string, string>();
  let n = 0;
  const operand = (v: ViewRef): string => {
    if (inGroup.has(v.slot)) return `v${v.slot}`;
    const slot = slots[v.slot];
    const acc = accessOf(v) ?? fail();
    const key = `${v.slot}|${v.offset}|${acc.sr}|${acc.sc}|${acc.flat}`;
    const known = reads.get(key);
    if (known) return known;
    const name = `x${n++}`;
    reads.set(key, name);
    if (acc.scalar) {
      if (slot.kind === 'const' && !restored(v.slot)) head.push(`const ${name} = ${lit(slot.snapshot![v.offset])};`);
      else head.push(`const ${name} = ${arr(v.slot)}[${v.offset}];`);
    } else if (acc.flat) cell.push(`const ${name} = ${arr(v.slot)}[${v.offset ? `${v.offset} + i` : 'i'}];`);
    else if (acc.sc === 0) row.push(`const ${name} = ${arr(v.slot)}[${v.offset} + r * ${acc.sr}];`);
    else {
      row.push(`const b${name} = ${v.offset} + r * ${acc.sr};`);
      cell.push(`const ${name} = ${arr(v.slot)}[b${name} + ${acc.sc === 1 ? 'c' : `c * ${acc.sc}`}];`);
    }
    return name;
  };
  const body: string[] = [];
  for (const m of members) {
    // operands first: their loads go to the head, row or cell section in the order they are first needed
    const ops = m.inputs.map(operand);
    body.push(...cell.splice(0));
    const e = exprOf(m)!.replace(/\bi(\d+)\b/g, (_, k) => ops[Number(k)]);
    body.push(`const v${m.out} = ${m.dtype === 'float32' ? `Math.fround(${e})` : e};`);
    if (stored(m.out)) body.push(`${arr(m.out)}[i] = v${m.out};`);
  }
  const loop = [
    `for (let r = 0, i = 0; r < ${u.R}; r++) {`,
    ...row,
    `for (let c = 0; c < ${u.C}; c++, i++) {`,
    ...body,
    '}',
    '}',
  ];
  return [`{ // fused: ${members.map((m) => (m.attrs.fn as string) ?? m.name).join(' ')}`, ...head, ...loop, '}'].join(
    '\n',
  );
}

function fail(): never {
  throw bug('a fused input has no row/column strides');
}
