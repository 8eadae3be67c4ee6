import * as nb from '../../runtime';
import { Tensor } from '../../runtime';
import type { OpEntry } from '../../runtime/ops/registry';

/**
 * The vocabulary of the family formulas (formula-eval.ts evaluates them): the values a formula names and the
 * functions it may call beyond the elementwise ops and the registry entries, each written from its
 * definition (loops over positions, brute-force einsum and cofactors), not from the ops' rules, so a formula
 * that agrees with a rule means something. Everything is float64.
 */
export type Value = Tensor | number | boolean | string | null | number[] | Tensor[];

export interface FormulaContext {
  entry: OpEntry;
  /** The entry's differentiable tensor arguments by name (inputs, then tensor params), as passed to forward. */
  tensors: Record<string, Tensor>;
  /** Every param's value as passed to forward (index lists as given). */
  params: Record<string, unknown>;
  outs: Tensor[];
  grads: Tensor[];
}

export const f64 = (t: Tensor) => (t.dtype === 'float64' ? t : nb.cast(t, 'float64'));
export const host = (t: Tensor) => Array.from(f64(t).toHost());
const fromHost = (v: ArrayLike<number>, shape: readonly number[]) =>
  Tensor.fromHost(Float64Array.from(v), [...shape], 'float64');
export const asTensor = (v: Value): Tensor =>
  v instanceof Tensor ? v : nb.tensor(v as number | number[], { dtype: 'float64' });
const strides = (shape: readonly number[]) => {
  const s = shape.map(() => 1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1] * shape[i + 1];
  return s;
};
const coords = (i: number, shape: readonly number[]) => {
  const c = shape.map(() => 0);
  for (let d = shape.length - 1; d >= 0; d--) {
    c[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return c;
};
const axisOf = (a: unknown, rank: number) => ((a as number) < 0 ? (a as number) + rank : (a as number));
const reducedAxes = (axis: unknown, rank: number): number[] =>
  axis === null || axis === undefined
    ? [...Array(rank).keys()]
    : (Array.isArray(axis) ? axis : [axis]).map((a) => axisOf(a, rank));
const classAxis = (x: Tensor) => (x.rank >= 2 ? 1 : 0);

/** The axes of the first input that the entry's output lacks (or keeps as 1): where `expand` puts g back. */
function gradAxes(ctx: FormulaContext): number[] {
  const x = ctx.tensors[Object.keys(ctx.tensors)[0]];
  const { entry, params } = ctx;
  if (entry.family === 'reduction') return reducedAxes(params.axis, x.rank);
  if (entry.family === 'nn') return [classAxis(x)];
  if (entry.family === 'linalg') return [x.rank - 2, x.rank - 1];
  throw new Error(`expand() has no meaning for ${entry.name}`);
}

/** The vocabulary: functions a formula may call beyond the elementwise ops and the registry entries. */
export function vocabulary(ctx: FormulaContext): Record<string, (...a: Value[]) => Value> {
  const x0 = () => ctx.tensors[Object.keys(ctx.tensors)[0]];
  const target = () => asTensor((ctx.tensors.target ?? ctx.params.target) as Tensor);
  const isIndexTarget = () => target().rank !== x0().rank;
  return {
    /** t broadcast back over the axes the op reduced (a scalar stays a scalar). */
    expand: (t) => {
      const tt = asTensor(t);
      const x = x0();
      if (tt.rank === 0 || tt.rank === x.rank) return tt;
      const axes = gradAxes(ctx);
      return nb.reshape(
        tt,
        x.shape.map((d, i) => (axes.includes(i) ? 1 : d)),
      );
    },
    /** Mean over the reduced axes, kept. */
    mean: (t) => nb.mean(asTensor(t), { axis: gradAxes(ctx), keepdim: true }),
    /** Sum along axis (none: all), kept. */
    sum: (t, axis = null) => nb.sum(asTensor(t), { axis: axis === null ? null : (axis as number), keepdim: true }),
    zeros_like: (t) => nb.zerosLike(f64(asTensor(t))),
    ones_like: (t) => nb.onesLike(f64(asTensor(t))),
    /** Each operand's gradient: over every assignment of the equation's indices, g at the output's indices times the
     * other operands at theirs, accumulated at the operand's own indices (einsum with that operand and the output
     * swapped, also where an index repeats or is summed in that operand alone). */
    swap_einsum: (equation, g, operands) => swapEinsum(equation as string, asTensor(g), operands as Tensor[]),
    /** For each element, the product of the other elements reduced with it (no division: exact at zeros). */
    prod_others: (t) => {
      const x = asTensor(t);
      const v = host(x);
      const axes = gradAxes(ctx);
      const key = (i: number) =>
        coords(i, x.shape)
          .map((c, d) => (axes.includes(d) ? 0 : c))
          .join(',');
      const keys = v.map((_, i) => key(i));
      return fromHost(
        v.map((_, i) => v.reduce((p, w, j) => (j !== i && keys[j] === keys[i] ? p * w : p), 1)),
        x.shape,
      );
    },
    /** Reverse cumulative sum along axis: out[i] = sum over k >= i of t[k]. */
    revcumsum: (t, axis) => {
      const x = asTensor(t);
      const a = axisOf(axis, x.rank);
      const v = host(x);
      const st = strides(x.shape)[a];
      return fromHost(
        v.map((_, i) => {
          let s = 0;
          for (let k = coords(i, x.shape)[a]; k < x.shape[a]; k++) s += v[i + (k - coords(i, x.shape)[a]) * st];
          return s;
        }),
        x.shape,
      );
    },
    /** t with the first zero along axis (in each line) replaced by 1. */
    first_zero_to_one: (t, axis) => {
      const x = asTensor(t);
      const a = axisOf(axis, x.rank);
      const v = host(x);
      const seen = new Set<string>();
      return fromHost(
        v.map((w, i) => {
          const line = coords(i, x.shape)
            .map((c, d) => (d === a ? 0 : c))
            .join(',');
          if (w !== 0 || seen.has(line)) return w;
          seen.add(line);
          return 1;
        }),
        x.shape,
      );
    },
    /** dst with src[p] added at dst's flat position sources[p] - 1 (0: the entry came from no position). */
    route: (src, sources, like) => {
      const x = asTensor(like);
      const out = new Array<number>(x.size).fill(0);
      const s = host(asTensor(sources));
      const g = host(asTensor(src));
      if (s.length !== g.length) throw new Error(`route: ${g.length} gradients for ${s.length} sources`);
      s.forEach((p, k) => p > 0 && (out[p - 1] += g[k]));
      return fromHost(out, x.shape);
    },
    /** 1, 2, ... in x's shape: each element's flat position + 1 (what route reads back). */
    positions: (t) => {
      const x = asTensor(t);
      return fromHost(
        Array.from({ length: x.size }, (_, i) => i + 1),
        x.shape,
      );
    },
    /** dst with src's slices added at the given positions of axis (torch.index_add). */
    index_add: (dst, axis, index, src) => {
      const x = asTensor(dst);
      const s = asTensor(src);
      const a = axisOf(axis, x.rank);
      const idx = host(asTensor(index as number[]));
      const out = host(x);
      const sv = host(s);
      const xs = strides(x.shape);
      sv.forEach((w, k) => {
        const c = coords(k, s.shape);
        c[a] = idx[c[a]];
        out[c.reduce((o, cd, d) => o + cd * xs[d], 0)] += w;
      });
      return fromHost(out, x.shape);
    },
    /** g of tile's output summed over the copies, back in x's shape. */
    untile: (g, reps) => {
      const t = asTensor(g);
      const x = x0();
      const r = typeof reps === 'number' ? [reps] : (reps as number[]);
      const rank = t.rank;
      const full = [...Array(rank - r.length).fill(1), ...r];
      const base = [...Array(rank - x.rank).fill(1), ...x.shape];
      const split = nb.reshape(
        t,
        base.flatMap((d, a) => [full[a], d]),
      );
      const summed = nb.sum(split, { axis: base.map((_, a) => 2 * a) });
      return nb.reshape(summed, x.shape);
    },
    /** t cropped or zero-padded (at the end of each axis) to like's shape. */
    fit: (t, like) => {
      const a = asTensor(t);
      const shape = asTensor(like).shape;
      const v = host(a);
      const out = new Array<number>(shape.reduce((p, d) => p * d, 1)).fill(0);
      const os = strides(shape);
      v.forEach((w, k) => {
        const c = coords(k, a.shape);
        if (c.every((cd, d) => cd < shape[d])) out[c.reduce((o, cd, d) => o + cd * os[d], 0)] = w;
      });
      return fromHost(out, shape);
    },
    /** Ones on the main diagonal, in t's shape. */
    eye_like: (t) => {
      const x = asTensor(t);
      return fromHost(
        Array.from({ length: x.size }, (_, i) => {
          const c = coords(i, x.shape);
          return c[c.length - 1] === c[c.length - 2] ? 1 : 0;
        }),
        x.shape,
      );
    },
    /** The cofactor matrix of each square matrix (Laplace: signed determinants of the minors, by elimination). */
    cofactor: (t) => {
      const A = asTensor(t);
      const n = A.shape[A.rank - 1];
      const v = host(A);
      const out: number[] = [];
      for (let b = 0; b < v.length / (n * n); b++) {
        const M = (i: number, j: number) => v[b * n * n + i * n + j];
        for (let i = 0; i < n; i++)
          for (let j = 0; j < n; j++) {
            const minor = [...Array(n).keys()]
              .filter((r) => r !== i)
              .map((r) => [...Array(n).keys()].filter((c) => c !== j).map((c) => M(r, c)));
            out.push(((i + j) % 2 ? -1 : 1) * detOf(minor));
          }
      }
      return fromHost(out, A.shape);
    },
    /** The class axis of the input: 1 for [N, C, ...], 0 for [C]. */
    class_axis: () => classAxis(x0()),
    /** One-hot rows of class-index targets along the class axis; class probabilities as they are. */
    onehot: () => {
      const x = x0();
      const t = target();
      if (!isIndexTarget()) return f64(t);
      const ax = classAxis(x);
      const tv = host(t);
      return fromHost(
        Array.from({ length: x.size }, (_, i) => {
          const c = coords(i, x.shape);
          const k = c[ax];
          c.splice(ax, 1);
          return tv[c.reduce((o, cd, d) => o * t.shape[d] + cd, 0)] === k ? 1 : 0;
        }),
        x.shape,
      );
    },
    /** 1 for each target that counts (not ignore_index), broadcast along the class axis. */
    counted: () => {
      if (!isIndexTarget()) return 1;
      const t = target();
      return nb.unsqueeze(
        fromHost(
          host(t).map((v) => (v === (ctx.params.ignore_index ?? -100) ? 0 : 1)),
          t.shape,
        ),
        classAxis(x0()),
      );
    },
    /** The class weights (weight=) laid along the class axis; 1 when none. */
    class_weight: (weight) => {
      const w = weight as Tensor | null | undefined;
      if (!w) return 1;
      const x = x0();
      return nb.reshape(
        f64(w),
        x.shape.map((d, i) => (i === classAxis(x) ? d : 1)),
      );
    },
    /** The number of classes. */
    classes: () => x0().shape[classAxis(x0())],
  };
}

/** Determinant by Gaussian elimination with partial pivoting (float64). */
function detOf(m: number[][]): number {
  const a = m.map((r) => [...r]);
  const n = a.length;
  let d = 1;
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(a[i][k]) > Math.abs(a[p][k])) p = i;
    if (a[p][k] === 0) return 0;
    if (p !== k) [a[p], a[k], d] = [a[k], a[p], -d];
    d *= a[k][k];
    for (let i = k + 1; i < n; i++) {
      const f = a[i][k] / a[k][k];
      for (let j = k; j < n; j++) a[i][j] -= f * a[k][j];
    }
  }
  return d;
}

/** N: what each gradient divides by (see the header). */
export function countN(ctx: FormulaContext): number {
  const x = ctx.tensors[Object.keys(ctx.tensors)[0]];
  if (ctx.entry.family === 'reduction') return gradAxes(ctx).reduce((p, a) => p * x.shape[a], 1);
  if (ctx.entry.family !== 'nn') throw new Error(`N has no meaning for ${ctx.entry.name}`);
  if ((ctx.params.reduction ?? 'mean') !== 'mean') return 1;
  const t = ctx.params.target as Tensor | undefined;
  if (ctx.entry.name !== 'cross_entropy' && ctx.entry.name !== 'nll_loss') return x.size;
  // class probabilities: the samples
  if (t!.rank === x.rank) return x.size / x.shape[classAxis(x)];
  // class indices: the counted targets, each weighing its class's weight
  const w = ctx.params.weight ? host(ctx.params.weight as Tensor) : null;
  const ignore = (ctx.params.ignore_index as number | undefined) ?? -100;
  return host(t!).reduce((s, v) => (v === ignore ? s : s + (w ? w[v] : 1)), 0);
}

/** The einsum equation's operand and output subscripts, the ellipsis spelled as capital letters (implicit output: the
 * ellipsis, then the letters used once, in order). */
function subscripts(equation: string, ranks: number[]): { ins: string[]; out: string } {
  const [lhs, rhs] = equation.replace(/\s+/g, '').split('->');
  const terms = lhs.split(',');
  const ell = Math.max(0, ...terms.map((t, i) => (t.includes('...') ? ranks[i] - (t.length - 3) : 0)));
  const fill = (t: string, n: number) => t.replace('...', 'ABCDEFGHIJ'.slice(ell - n, ell));
  const ins = terms.map((t, i) => (t.includes('...') ? fill(t, ranks[i] - (t.length - 3)) : t));
  let out: string;
  if (rhs !== undefined) out = fill(rhs, ell);
  else {
    const once = [...new Set(ins.join('').replace(/[A-Z]/g, ''))]
      .filter((c) => ins.join('').split(c).length === 2)
      .sort();
    out = 'ABCDEFGHIJ'.slice(0, ell) + once.join('');
  }
  return { ins, out };
}

function swapEinsum(equation: string, g: Tensor, operands: Tensor[]): Tensor[] {
  const { ins, out } = subscripts(
    equation,
    operands.map((o) => o.rank),
  );
  const size = new Map<string, number>();
  ins.forEach((s, k) => [...s].forEach((c, d) => size.set(c, operands[k].shape[d])));
  const letters = [...size.keys()];
  const vals = operands.map(host);
  const gv = host(g);
  const grads = operands.map((o) => new Array<number>(o.size).fill(0));
  const flat = (s: string, shape: readonly number[], at: Map<string, number>) =>
    [...s].reduce((o, c, d) => o * shape[d] + at.get(c)!, 0);
  const total = letters.reduce((p, c) => p * size.get(c)!, 1);
  for (let i = 0; i < total; i++) {
    const at = new Map<string, number>();
    let rest = i;
    for (const c of letters) {
      at.set(c, rest % size.get(c)!);
      rest = Math.floor(rest / size.get(c)!);
    }
    const gAt = gv[flat(out, g.shape, at)];
    operands.forEach((o, k) => {
      let p = gAt;
      operands.forEach((q, j) => j !== k && (p *= vals[j][flat(ins[j], q.shape, at)]));
      grads[k][flat(ins[k], o.shape, at)] += p;
    });
  }
  return operands.map((o, k) => fromHost(grads[k], o.shape));
}
