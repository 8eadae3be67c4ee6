import { allocHost, type HostArray } from '../../dtype';
import type { KernelOutput } from '../../kernels';
import { takeFloat32 } from '../../pool';
import { sizeOf } from '../../shape';
import type { View } from '../../storage';
import { HELPERS } from './fns';
import { stridedPositions } from './strided';

/**
 * Generated elementwise loops. One shared loop that calls a function per element cannot be inlined by V8
 * once several functions have gone through it (runtime/backends/gpujs/README.md measured `neg` at 2.7 ms per
 * 262,144 elements that way); a loop generated per expression and layout is monomorphic and runs at memory
 * speed. Layouts: the output's dims are merged where every input walks them as one; at most two dims left
 * give a row/column loop in which each input has its own row and column stride (contiguous, a broadcast
 * scalar, a broadcast row such as a bias, a broadcast column, a transposed matrix), so no positions array
 * is built; more dims fall back to positions for the inputs that need them.
 */
type Loop = (
  H: typeof HELPERS,
  res: HostArray,
  R: number,
  C: number,
  A: HostArray[],
  off: number[],
  sr: number[],
  sc: number[],
  P: (Int32Array | null)[],
  extra: readonly number[],
) => void;

const cache = new Map<string, Loop>();

/** The output dims merged where every input's strides allow, as [dims, strides per input]. */
function coalesce(shape: readonly number[], strides: readonly (readonly number[])[]): [number[], number[][]] {
  const dims: number[] = [];
  const st: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && strides.every((s, k) => st[k][last] === s[d] * shape[d])) {
      dims[last] *= shape[d];
      strides.forEach((s, k) => (st[k][last] = s[d]));
    } else {
      dims.push(shape[d]);
      strides.forEach((s, k) => st[k].push(s[d]));
    }
  }
  return [dims, st];
}

const strideCode = (s: number) => (s === 0 ? '0' : s === 1 ? '1' : 's');

function build(key: string, expr: string, names: readonly string[], kinds: readonly string[], twoD: boolean): Loop {
  const lines: string[] = [];
  names.forEach((nm, k) =>
    lines.push(`const A${k} = A[${k}], o${k} = off[${k}], r${k} = sr[${k}], c${k} = sc[${k}], P${k} = P[${k}];`),
  );
  if (twoD) {
    lines.push('let i = 0;', 'for (let r_ = 0; r_ < R; r_++) {');
    names.forEach((nm, k) => {
      if (kinds[k] === '0') lines.push(`const ${nm} = A${k}[o${k} + r_ * r${k}];`);
      else lines.push(`const b${k} = o${k} + r_ * r${k};`);
    });
    lines.push('for (let c_ = 0; c_ < C; c_++, i++) {');
    names.forEach((nm, k) => {
      if (kinds[k] === '1') lines.push(`const ${nm} = A${k}[b${k} + c_];`);
      else if (kinds[k] === 's') lines.push(`const ${nm} = A${k}[b${k} + c_ * c${k}];`);
    });
    lines.push(`res[i] = ${expr};`, '}', '}');
  } else {
    lines.push('const n = R * C;', 'for (let i = 0; i < n; i++) {');
    names.forEach((nm, k) =>
      lines.push(kinds[k] === 'p' ? `const ${nm} = A${k}[P${k}[i]];` : `const ${nm} = A${k}[o${k} + i];`),
    );
    lines.push(`res[i] = ${expr};`, '}');
  }
  // extra scalars (clamp bounds) are named e0, e1, ...
  const body = `const [e0, e1] = extra;\n${lines.join('\n')}`;
  const f = new Function('H', 'res', 'R', 'C', 'A', 'off', 'sr', 'sc', 'P', 'extra', body) as Loop;
  cache.set(key, f);
  return f;
}

/**
 * res[i] = expr(inputs at i) for inputs already expanded to `out.shape`. `into`, when given and of the
 * output's length and type, receives the result (the compiled path passes its own buffers).
 */
export function elementwise(
  expr: string,
  names: readonly string[],
  inputs: readonly View[],
  out: KernelOutput,
  into?: HostArray,
  extra: readonly number[] = [],
): HostArray {
  const n = sizeOf(out.shape);
  // every element is written below, so a recycled float32 buffer will do (runtime/pool.ts)
  const res =
    into && into.length === n && (out.dtype === 'float64') === into instanceof Float64Array
      ? into
      : out.dtype === 'float64'
        ? allocHost(out.dtype, n)
        : takeFloat32(n);
  if (n === 0) return res;
  const [dims, st] = coalesce(
    out.shape,
    inputs.map((v) => v.strides),
  );
  const A = inputs.map((v) => v.storage.host);
  const off = inputs.map((v) => v.offset);
  let key: string;
  let R: number;
  let C: number;
  let sr: number[];
  let sc: number[];
  let P: (Int32Array | null)[];
  if (dims.length <= 2) {
    R = dims.length === 2 ? dims[0] : 1;
    C = dims.length ? dims[dims.length - 1] : 1;
    sr = st.map((s) => (dims.length === 2 ? s[0] : 0));
    sc = st.map((s) => (dims.length ? s[s.length - 1] : 0));
    const kinds = sc.map(strideCode);
    key = `2|${expr}|${out.dtype}|${kinds.join('')}`;
    const f = cache.get(key) ?? build(key, expr, names, kinds, true);
    f(
      HELPERS,
      res,
      R,
      C,
      A,
      off,
      sr,
      sc,
      inputs.map(() => null),
      extra,
    );
    return res;
  }
  const contiguous = st.map(
    (s) => s[s.length - 1] === 1 && s.every((x, d) => d === s.length - 1 || x === s[d + 1] * dims[d + 1]),
  );
  P = inputs.map((v, k) => (contiguous[k] ? null : stridedPositions(v.shape, v.strides, v.offset)));
  const kinds = P.map((p) => (p ? 'p' : 'c'));
  key = `n|${expr}|${out.dtype}|${kinds.join('')}`;
  const f = cache.get(key) ?? build(key, expr, names, kinds, false);
  f(HELPERS, res, 1, n, A, off, [], [], P, extra);
  return res;
}
