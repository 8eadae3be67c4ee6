import { extrasOf } from '../../ops/registry';
import type { KernelAttrs, KernelOutput } from '../../kernels';
import { sameShape, sizeOf } from '../../shape';
import type { DeviceData, View } from '../../storage';
import {
  BINARY_EXPR,
  CLAMP_EXPR,
  GPU_BINARY_EXPR,
  GPU_UNARY_EXPR,
  UNARY_EXPR,
  WHERE_EXPR,
  type GpuExpr,
} from './exprs';
import { coalesce, coordLines, indexExpr, isRowMajor, operand, type Operand } from './layout';

/**
 * A plan says which gpu.js kernel one call needs: its cache key (everything the generated source depends
 * on), how to write that source on a cache miss, and the flat arrays to pass. Sources are plain JavaScript
 * of one output cell (`this.thread.x`), given to gpu.js as a `function (in0, ...) { ... }` string; the same
 * planners serve every mode, and the GPU modes (webgl2, webgpu) differ only where GPU arithmetic does:
 * a few fns get GPU forms (exprs.ts) and index division is corrected (layout.ts `coordLines`).
 */
export interface Plan {
  key: string;
  cells: number;
  params: string[];
  body: () => string;
  /** host values, or (webgpu) device copies the agent holds */
  args: (Float32Array | DeviceData)[];
}

export type Mode = 'cpu' | 'webasm' | 'webgl2' | 'webgpu';

/**
 * Which plan arguments are device values ('g') and which host arrays ('h'). gpu.js fixes each argument's
 * kind when it builds a kernel, so a plan with device arguments is cached under its key plus these.
 */
export const argKinds = (args: Plan['args']) => args.map((a) => (ArrayBuffer.isView(a) ? 'h' : 'g')).join('');

/** Modes that run on a GPU: f32 arithmetic whose division and transcendentals are not correctly rounded. */
export const isGpuMode = (mode: Mode) => mode === 'webgl2' || mode === 'webgpu';
type Planner = (inputs: readonly View[], attrs: KernelAttrs, out: KernelOutput, mode: Mode) => Plan | null;

// the op layer expands elementwise inputs to the output shape; anything else is not ours to guess at
const expanded = (inputs: readonly View[], out: KernelOutput) => inputs.every((v) => sameShape(v.shape, out.shape));

/** One output cell from `inputs` (already expanded to the output shape) bound to `names`, then `expr`. */
function elementwise(
  mode: Mode,
  tag: string,
  expr: GpuExpr,
  names: string[],
  inputs: readonly View[],
  out: KernelOutput,
  extra: Float32Array[] = [],
  extraParams: string[] = [],
): Plan | null {
  if (!expanded(inputs, out)) return null;
  const ops = inputs.map((v) => operand(v, mode));
  const { dims, strides } = coalesce(
    out.shape,
    ops.map((o) => o.strides),
  );
  const flat = strides.map((s) => isRowMajor(dims, s));
  // built on every call, so plain concatenation rather than a template over mapped arrays
  let key = tag + '|' + dims.join(',');
  for (let k = 0; k < ops.length; k++) key += '|' + ops[k].base + ':' + (flat[k] ? 'flat' : strides[k].join(','));
  const body = () => {
    const lines = ['const i = this.thread.x;'];
    if (flat.some((f) => !f)) lines.push(...coordLines(dims, 'c', 'i', isGpuMode(mode)));
    ops.forEach((o, k) => {
      const at = flat[k] ? (o.base ? `${o.base} + i` : 'i') : indexExpr(o.base, strides[k], 'c');
      lines.push(`const ${names[k]} = in${k}[${at}];`);
    });
    extraParams.forEach((p, k) => lines.push(`const ${p} = bounds[${k}];`));
    if (typeof expr === 'string') lines.push(`return ${expr};`);
    else lines.push(...expr.lines, `return ${expr.value};`);
    return lines.join('\n');
  };
  const params = ops.map((_, k) => `in${k}`).concat(extra.length ? ['bounds'] : []);
  return { key, cells: Math.max(sizeOf(out.shape), 1), params, body, args: ops.map((o) => o.data).concat(extra) };
}

const unary: Planner = ([x], attrs, out, mode) => {
  const expr = (isGpuMode(mode) ? GPU_UNARY_EXPR : UNARY_EXPR)[attrs.fn as string];
  // an op's params (leaky_relu's slope) are its expression's e0, e1, ...: one kernel serves every value
  const extras = extrasOf(attrs.fn as string, attrs);
  return expr
    ? elementwise(
        mode,
        `unary:${attrs.fn}`,
        expr,
        ['x'],
        [x],
        out,
        extras.length ? [Float32Array.from(extras)] : [],
        extras.map((_, k) => `e${k}`),
      )
    : null;
};

const binary: Planner = ([a, b], attrs, out, mode) => {
  const expr = (isGpuMode(mode) ? GPU_BINARY_EXPR : BINARY_EXPR)[attrs.fn as string];
  return expr ? elementwise(mode, `binary:${attrs.fn}`, expr, ['a', 'b'], [a, b], out) : null;
};

const where: Planner = (inputs, _attrs, out, mode) =>
  elementwise(mode, 'where', WHERE_EXPR, ['c', 'a', 'b'], inputs, out);

const clamp: Planner = ([x], attrs, out, mode) => {
  // a GPU may assume no infinities (GLSL and WGSL leave them undefined); its inputs are finite (guard.ts),
  // so the largest float32 bounds them as well
  const none = isGpuMode(mode) ? 3.4028234663852886e38 : Infinity;
  const lo = (attrs.min as number | null) ?? -none;
  const hi = (attrs.max as number | null) ?? none;
  return elementwise(mode, 'clamp', CLAMP_EXPR, ['x'], [x], out, [Float32Array.of(lo, hi)], ['lo', 'hi']);
};

const copy: Planner = ([x], _attrs, out, mode) => elementwise(mode, 'copy', 'x', ['x'], [x], out);

/**
 * sum / max / min over `axes`: one cell per kept position, nested loops over the reduced dims. In webasm
 * (and webgpu) the sum runs in f32, so it is compensated (Kahan): a plain f32 sum of 10^6 uniform values
 * is off by 2.5e-5 relative (Kahan: 1e-9), past float32 tolerance against the js kernel's double
 * accumulator, and cancelling sums fare worse. wasm does not reassociate, so the compensation survives
 * compilation there; a GPU compiler may (Mesa's lavapipe rewrites `((acc + y) - acc) - y` to 0, leaving a
 * plain f32 sum, 1.3e-5 off on 2^20 values), so on the GPU modes the new total is multiplied by `unit[0]`,
 * a 1 the compiler cannot see through (2e-8 there). The cpu mode already sums in doubles.
 */
const UNIT = Float32Array.of(1);
const reduce: Planner = ([x], attrs, _out, mode) => {
  const fn = attrs.fn as string;
  const axes = attrs.axes as number[];
  if (fn !== 'sum' && fn !== 'max' && fn !== 'min') return null;
  const op = operand(x, mode);
  const kept = x.shape.map((_, d) => d).filter((d) => !axes.includes(d));
  const K = coalesce(
    kept.map((d) => x.shape[d]),
    [kept.map((d) => op.strides[d])],
  );
  const R = coalesce(
    axes.map((d) => x.shape[d]),
    [axes.map((d) => op.strides[d])],
  );
  const kahan = fn === 'sum' && mode !== 'cpu';
  const opaque = kahan && isGpuMode(mode);
  const key = `reduce:${fn}${kahan ? ':kahan' : ''}|${K.dims}|${K.strides[0]}|${R.dims}|${R.strides[0]}|${op.base}`;
  const body = () => {
    const lines = [
      'const i = this.thread.x;',
      ...coordLines(K.dims, 'c', 'i', isGpuMode(mode)),
      `const at = ${indexExpr(op.base, K.strides[0], 'c')};`,
    ];
    if (fn === 'sum') lines.push('let acc = 0;', 'let comp = 0;');
    else lines.push('let acc = in0[at];'); // the first reduced element; no Infinity literal needed
    R.dims.forEach((d, j) => lines.push(`for (let j${j} = 0; j${j} < ${d}; j${j}++) {`));
    lines.push(
      `const v = in0[${['at', ...R.strides[0].map((s, j) => (s === 1 ? `j${j}` : `j${j} * ${s}`))].join(' + ')}];`,
    );
    if (kahan)
      lines.push(
        'const y = v - comp;',
        `const t = ${opaque ? '(acc + y) * unit[0]' : 'acc + y'};`,
        'comp = (t - acc) - y;',
        'acc = t;',
      );
    else if (fn === 'sum') lines.push('acc += v;');
    // NaN wins, as in the js kernel: once acc is NaN no comparison replaces it
    else lines.push(`if (v ${fn === 'max' ? '>' : '<'} acc || v !== v) {`, 'acc = v;', '}');
    R.dims.forEach(() => lines.push('}'));
    lines.push('return acc;');
    return lines.join('\n');
  };
  return {
    key,
    cells: Math.max(sizeOf(K.dims), 1),
    params: opaque ? ['in0', 'unit'] : ['in0'],
    body,
    args: opaque ? [op.data, UNIT] : [op.data],
  };
};

/**
 * Batched (..., M, K) @ (..., K, N), batch dims already expanded to the output's. Each cell walks a row of
 * A and a column of B with the views' own strides, so transposed operands cost no copy; the output dims
 * (batch..., M, N) are coalesced with A's and B's strides over them, which folds the batch into M whenever
 * the layout allows. Accumulates in the mode's float (f32 in webasm), as GPUs and torch's float32 do.
 */
const matmul: Planner = ([a, b], _attrs, out, mode) => {
  const r = out.shape.length;
  if (r < 2 || a.shape.length !== r || b.shape.length !== r) return null;
  const K = a.shape[r - 1];
  const [oa, ob] = [operand(a, mode), operand(b, mode)];
  const sa = [...oa.strides.slice(0, r - 2), oa.strides[r - 2], 0];
  const sb = [...ob.strides.slice(0, r - 2), 0, ob.strides[r - 1]];
  const [sak, sbk] = [oa.strides[r - 1], ob.strides[r - 2]];
  const { dims, strides } = coalesce(out.shape, [sa, sb]);
  const key = `matmul|${dims}|${strides[0]}|${strides[1]}|${K}|${sak}|${sbk}|${oa.base}|${ob.base}`;
  const step = (s: number) => (s === 1 ? 'k' : `k * ${s}`);
  const body = () =>
    [
      'const i = this.thread.x;',
      ...coordLines(dims, 'c', 'i', isGpuMode(mode)),
      `const ia = ${indexExpr(oa.base, strides[0], 'c')};`,
      `const ib = ${indexExpr(ob.base, strides[1], 'c')};`,
      'let acc = 0;',
      `for (let k = 0; k < ${K}; k++) {`,
      `acc += in0[ia + ${step(sak)}] * in1[ib + ${step(sbk)}];`,
      '}',
      'return acc;',
    ].join('\n');
  return { key, cells: Math.max(sizeOf(out.shape), 1), params: ['in0', 'in1'], body, args: [oa.data, ob.data] };
};

/** Most source values a scatterView kernel takes: its source lists each one (an index's backward writes one or a few). */
export const MAX_SCATTER = 64;

/**
 * zeros(out) with the source written at the strided window (offset, strides) of the output: an index's backward
 * (runtime/ops/shape.ts sliceScatter). The window and the source's layout are known when the kernel is planned,
 * so each source value's place in the output and in its operand are literals: a cell adds the values that land
 * on it, in source order as the js kernel does (a window with a zero stride lands several on one cell). A source
 * of more than MAX_SCATTER values is left to js.
 */
const scatterView: Planner = ([src], attrs, out, mode) => {
  const n = sizeOf(src.shape);
  const wStrides = attrs.strides as number[];
  // float32 only: the js kernel sums bools that land on one cell in a byte, which a float sum would not match
  if (out.dtype !== 'float32' || n > MAX_SCATTER || wStrides.length !== src.shape.length) return null;
  const op = operand(src, mode);
  const lines = ['const i = this.thread.x;', 'let acc = 0;'];
  const coord = new Array<number>(src.shape.length).fill(0);
  for (let k = 0; k < n; k++) {
    let at = attrs.offset as number;
    let from = op.base;
    coord.forEach((c, d) => {
      at += c * wStrides[d];
      from += c * op.strides[d];
    });
    // two comparisons rather than an equality: gpu.js compares the integer thread index with a float literal so
    lines.push(`if (i >= ${at}) {`, `if (i < ${at + 1}) {`, `acc += in0[${from}];`, '}', '}');
    for (let d = coord.length - 1; d >= 0 && ++coord[d] === src.shape[d]; d--) coord[d] = 0;
  }
  lines.push('return acc;');
  const body = lines.join('\n');
  const cells = Math.max(sizeOf(out.shape), 1);
  return { key: `scatterView|${cells}|${body}`, cells, params: ['in0'], body: () => body, args: [op.data] };
};

export const PLANNERS: Record<string, Planner> = { unary, binary, where, clamp, copy, reduce, matmul, scatterView };
export type { Operand };
