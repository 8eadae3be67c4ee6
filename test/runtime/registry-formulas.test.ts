import { describe, expect, it } from 'vitest';
import * as nb from '../../runtime';
import { Tensor } from '../../runtime';
import type { Node } from '../../runtime/graph';
import { allEntries, type ForwardEntry } from '../../runtime/ops/registry';
import { evaluateFormula } from './formula-eval';
import { rng } from './helpers';

/**
 * The reduction, nn, indexing and linalg entries' formula text (what explain, the builtins' doc lines and the
 * docs' op reference print) evaluated numerically (formula-eval.ts) against the gradient autograd computes
 * with the entry's rule, on cases that exercise ties, zeros, masks and axis/keepdim variants. An entry with
 * no formula must be non-differentiable (its outputs never require grad), and every entry needs a case.
 * An entry whose formulas are the very array of an OpDef its forward records (linalg: declared once, on the
 * OpDef) is checked at that node: the text against the rule's backward on the node's own values.
 */
interface Case {
  /** What the case exercises. */
  label: string;
  /** The differentiable tensor arguments by name: inputs first, then tensor params (scatter_add's src). */
  tensors: Record<string, number[] | number[][] | number[][][] | number>;
  /** The other arguments by param name (targets, indices, axes, ...). */
  params?: Record<string, unknown>;
  /** Where the formula has no value (det's inv form at a singular matrix): why, and the definition the rule must
   * match instead; the test checks that the formula fails to evaluate there and the rule agrees with `instead`. */
  formulaUndefined?: { why: string; instead: string };
}

const r = rng(20261206);
const rnd = (...shape: number[]): any =>
  shape.length
    ? Array.from({ length: shape[0] }, () => rnd(...shape.slice(1)))
    : Math.round((r() * 4 - 2) * 1000) / 1000;
const pos = (...shape: number[]): any =>
  shape.length ? Array.from({ length: shape[0] }, () => pos(...shape.slice(1))) : 0.05 + Math.round(r() * 900) / 1000;
const M34 = [
  [1.5, -0.5, 2, 0.25],
  [0, 3, -1, 0.5],
  [2, 2, 2, 2],
]; // a zero, a constant row (ties)
const ZEROS = [
  [0, 2, 0, -1],
  [1.5, 0, 0.5, 2],
  [1, -2, 0.5, 3],
]; // two zeros, one zero, none
const spd = [
  [4, 1, 0.5],
  [1, 3, 0.25],
  [0.5, 0.25, 2],
];
const SINGULAR = {
  why: "det's formula g * conj(out) * inv(x)' needs inv(x), which a singular x lacks; the rule uses the cofactor matrix there",
  instead: '{g} * conj(cofactor({x0}))',
};

const CASES: Record<string, Case[]> = {
  // reductions
  prod: [
    { label: 'all, with zeros', tensors: { x: ZEROS } },
    { label: 'axis 1, rows with two zeros, one zero and none', tensors: { x: ZEROS }, params: { axis: 1 } },
    { label: 'axis 0 keepdim', tensors: { x: ZEROS }, params: { axis: 0, keepdim: true } },
    { label: 'axes [0, 1], random', tensors: { x: rnd(2, 3) }, params: { axis: [0, 1] } },
  ],
  var: [
    { label: 'all', tensors: { x: M34 } },
    { label: 'axis 1 keepdim, a constant row', tensors: { x: M34 }, params: { axis: 1, keepdim: true } },
    { label: 'axis 0, correction 0', tensors: { x: M34 }, params: { axis: 0, correction: 0 } },
    { label: 'axes [0, 1], correction 2', tensors: { x: rnd(3, 3) }, params: { axis: [0, 1], correction: 2 } },
  ],
  std: [
    { label: 'all', tensors: { x: M34 } },
    { label: 'axis 1, a constant row (PyTorch: gradient 0 there)', tensors: { x: M34 }, params: { axis: 1 } },
    { label: 'axis 0 keepdim, correction 0', tensors: { x: M34 }, params: { axis: 0, keepdim: true, correction: 0 } },
  ],
  logsumexp: [
    { label: 'all', tensors: { x: M34 } },
    { label: 'axis 1, ties', tensors: { x: M34 }, params: { axis: 1 } },
    {
      label: 'axis 0 keepdim, large logits',
      tensors: {
        x: [
          [1000, 999],
          [-1000, 1000],
        ],
      },
      params: { axis: 0, keepdim: true },
    },
  ],
  norm: [
    { label: 'p=2, all', tensors: { x: M34 } },
    {
      label: 'p=2 axis 1, a zero row',
      tensors: {
        x: [
          [0, 0, 0],
          [1, -2, 2],
        ],
      },
      params: { axis: 1 },
    },
    { label: 'p=1 with zeros', tensors: { x: ZEROS }, params: { p: 1, axis: 1 } },
    { label: 'p=3 keepdim', tensors: { x: M34 }, params: { p: 3, axis: 0, keepdim: true } },
    {
      label: 'p=0.5, no zeros',
      tensors: {
        x: [
          [1, -2, 0.5],
          [0.25, 3, -1],
        ],
      },
      params: { p: 0.5, axis: 1 },
    },
    {
      label: 'p=inf, ties in |x|',
      tensors: {
        x: [
          [2, -2, 1],
          [0.5, 3, -1],
        ],
      },
      params: { p: Infinity, axis: 1 },
    },
    {
      label: 'p=-inf, ties in |x|',
      tensors: {
        x: [
          [1, -1, 2],
          [0.5, 3, -1],
        ],
      },
      params: { p: -Infinity, axis: 1 },
    },
  ],
  cumsum: [
    { label: 'axis 1', tensors: { x: M34 }, params: { axis: 1 } },
    { label: 'axis 0', tensors: { x: M34 }, params: { axis: -2 } },
  ],
  cumprod: [
    { label: 'axis 1, rows with two zeros, one, none', tensors: { x: ZEROS }, params: { axis: 1 } },
    { label: 'axis 0, random', tensors: { x: rnd(4, 2) }, params: { axis: 0 } },
  ],
  argmax: [{ label: 'not differentiable', tensors: { x: M34 }, params: { axis: 1 } }],
  argmin: [{ label: 'not differentiable', tensors: { x: M34 } }],
  any: [{ label: 'not differentiable', tensors: { x: M34 }, params: { axis: 0 } }],
  all: [{ label: 'not differentiable', tensors: { x: M34 } }],
  // nn
  softmax: [
    { label: 'last axis, ties', tensors: { x: M34 } },
    { label: 'axis 0', tensors: { x: M34 }, params: { axis: 0 } },
  ],
  log_softmax: [
    { label: 'last axis, ties', tensors: { x: M34 } },
    {
      label: 'axis 0, logits of 1000',
      tensors: {
        x: [
          [1000, -1000],
          [0, 1000],
        ],
      },
      params: { axis: 0 },
    },
  ],
  cross_entropy: [
    { label: 'indices, mean', tensors: { input: rnd(4, 3) }, params: { target: [0, 2, 1, 2] } },
    {
      label: 'indices, sum, label_smoothing',
      tensors: { input: rnd(4, 3) },
      params: { target: [0, 2, 1, 2], reduction: 'sum', label_smoothing: 0.2 },
    },
    {
      label: 'indices, none, ignore_index',
      tensors: { input: rnd(4, 3) },
      params: { target: [0, -100, 1, 2], reduction: 'none' },
    },
    {
      label: 'indices, mean, ignore_index 1 and label_smoothing',
      tensors: { input: rnd(4, 3) },
      params: { target: [0, 1, 1, 2], ignore_index: 1, label_smoothing: 0.1 },
    },
    {
      label: 'indices, [N, C, d] input',
      tensors: { input: rnd(2, 3, 2) },
      params: {
        target: [
          [0, 2],
          [1, 1],
        ],
      },
    },
    { label: 'one sample [C]', tensors: { input: rnd(3) }, params: { target: 2 } },
    {
      label: 'probabilities, mean, label_smoothing',
      tensors: { input: rnd(2, 3) },
      params: {
        target: [
          [0.2, 0.5, 0.3],
          [1, 0, 0],
        ],
        label_smoothing: 0.3,
      },
    },
    {
      label: 'probabilities, none',
      tensors: { input: rnd(2, 3) },
      params: {
        target: [
          [0.2, 0.5, 0.3],
          [0, 0, 1],
        ],
        reduction: 'none',
      },
    },
    {
      label: 'indices, mean, weight',
      tensors: { input: rnd(4, 3) },
      params: { target: [0, 2, 1, 2], weight: [0.5, 2, 1.5] },
    },
    {
      label: 'indices, mean, weight, ignore_index and label_smoothing',
      tensors: { input: rnd(4, 3) },
      params: { target: [0, -100, 1, 2], weight: [0.5, 2, 1.5], label_smoothing: 0.2 },
    },
    {
      label: 'indices, none, weight, [N, C, d] input',
      tensors: { input: rnd(2, 3, 2) },
      params: {
        target: [
          [0, 2],
          [1, 1],
        ],
        weight: [3, 0.25, 1],
        reduction: 'none',
      },
    },
    {
      label: 'probabilities, mean, weight and label_smoothing',
      tensors: { input: rnd(2, 3) },
      params: {
        target: [
          [0.2, 0.5, 0.3],
          [1, 0, 0],
        ],
        weight: [0.5, 2, 1.5],
        label_smoothing: 0.1,
      },
    },
  ],
  nll_loss: [
    { label: 'mean', tensors: { input: rnd(3, 4) }, params: { target: [3, 0, 0] } },
    {
      label: 'none, ignore_index',
      tensors: { input: rnd(3, 4) },
      params: { target: [3, 2, 0], reduction: 'none', ignore_index: 2 },
    },
    { label: 'sum', tensors: { input: rnd(3, 4) }, params: { target: [1, 1, 0], reduction: 'sum' } },
    {
      label: 'mean, weight and ignore_index',
      tensors: { input: rnd(3, 4) },
      params: { target: [3, 2, 0], weight: [0.5, 2, 1.5, 3], ignore_index: 2 },
    },
    {
      label: 'none, weight',
      tensors: { input: rnd(3, 4) },
      params: { target: [3, 2, 0], weight: [0.5, 2, 1.5, 3], reduction: 'none' },
    },
  ],
  mse_loss: [
    { label: 'mean', tensors: { input: rnd(2, 3) }, params: { target: rnd(2, 3) } },
    { label: 'none', tensors: { input: rnd(2, 3) }, params: { target: rnd(2, 3), reduction: 'none' } },
  ],
  l1_loss: [
    {
      label: 'mean, a tie input = target',
      tensors: {
        input: [
          [1, 2],
          [3, -1],
        ],
      },
      params: {
        target: [
          [1, 0],
          [2, -1],
        ],
      },
    },
    { label: 'sum', tensors: { input: rnd(3) }, params: { target: rnd(3), reduction: 'sum' } },
  ],
  huber_loss: [
    {
      label: 'mean, delta 1, |d| at and around delta',
      tensors: {
        input: [
          [0, 1, 2.5],
          [-1, 0.25, -3],
        ],
      },
      params: {
        target: [
          [1, 1, 0],
          [0, 0, 0],
        ],
      },
    },
    {
      label: 'none, delta 0.5',
      tensors: { input: rnd(2, 3) },
      params: { target: rnd(2, 3), reduction: 'none', delta: 0.5 },
    },
  ],
  binary_cross_entropy: [
    {
      label: 'mean',
      tensors: { input: pos(2, 3) },
      params: {
        target: [
          [0, 1, 0.5],
          [1, 0.25, 0],
        ],
      },
    },
    { label: 'none', tensors: { input: pos(4) }, params: { target: [1, 0, 0, 1], reduction: 'none' } },
  ],
  binary_cross_entropy_with_logits: [
    {
      label: 'mean',
      tensors: { input: rnd(2, 3) },
      params: {
        target: [
          [0, 1, 0.5],
          [1, 0.25, 0],
        ],
      },
    },
    {
      label: 'sum, pos_weight',
      tensors: { input: rnd(2, 3) },
      params: {
        target: [
          [0, 1, 0.5],
          [1, 0.25, 0],
        ],
        reduction: 'sum',
        pos_weight: [2, 0.5, 1],
      },
    },
    {
      label: 'none, logits of 1000',
      tensors: { input: [1000, -1000, 0] },
      params: { target: [1, 1, 0], reduction: 'none' },
    },
  ],
  dropout: [
    { label: 'seeded, p 0.3', tensors: { x: rnd(4, 5) }, params: { p: 0.3, seed: 7 } },
    { label: 'evaluation', tensors: { x: rnd(3) }, params: { p: 0.5, training: false } },
  ],
  // indexing and shape
  gather: [
    {
      label: 'axis 1, repeats',
      tensors: { x: rnd(2, 3) },
      params: {
        axis: 1,
        index: [
          [0, 0, 2, 1],
          [2, 2, 2, 0],
        ],
      },
    },
    { label: 'axis 0, smaller index', tensors: { x: rnd(3, 2) }, params: { axis: 0, index: [[2], [2]] } },
  ],
  index_select: [
    { label: 'axis 0, repeats', tensors: { x: rnd(3, 2) }, params: { axis: 0, index: [2, 0, 2] } },
    { label: 'axis -1', tensors: { x: rnd(2, 3) }, params: { axis: -1, index: [1] } },
  ],
  take_along_axis: [
    {
      label: 'axis 1',
      tensors: { x: rnd(2, 3) },
      params: {
        indices: [
          [2, 0],
          [1, 1],
        ],
        axis: 1,
      },
    },
    { label: 'broadcast indices', tensors: { x: rnd(2, 3) }, params: { indices: [[0, 1, 1]], axis: 0 } },
    { label: 'flattened (axis none)', tensors: { x: rnd(2, 3) }, params: { indices: [5, 0, 5, 3] } },
  ],
  scatter_add: [
    {
      label: 'axis 1, duplicates accumulate',
      tensors: { x: rnd(2, 3), src: rnd(2, 4) },
      params: {
        axis: 1,
        index: [
          [0, 0, 2, 1],
          [2, 2, 2, 0],
        ],
      },
    },
    {
      label: 'axis 0, smaller index',
      tensors: { x: rnd(3, 2), src: rnd(2, 2) },
      params: {
        axis: 0,
        index: [
          [2, 0],
          [1, 2],
        ],
      },
    },
  ],
  sort: [
    { label: 'ascending, ties', tensors: { x: M34 } },
    { label: 'descending axis 0', tensors: { x: M34 }, params: { axis: 0, descending: true } },
  ],
  topk: [
    { label: 'k 2, ties', tensors: { x: M34 }, params: { k: 2 } },
    { label: 'k 2 smallest along axis 0', tensors: { x: M34 }, params: { k: 2, axis: 0, largest: false } },
  ],
  flip: [{ label: 'dims [0, 1]', tensors: { x: rnd(2, 3) }, params: { dims: [0, 1] } }],
  roll: [
    { label: 'flattened', tensors: { x: rnd(2, 3) }, params: { shifts: 2 } },
    { label: 'two axes', tensors: { x: rnd(2, 3) }, params: { shifts: [1, -1], dims: [0, 1] } },
  ],
  tile: [
    { label: 'reps [2, 3]', tensors: { x: rnd(2, 2) }, params: { reps: [2, 3] } },
    { label: 'reps longer than the rank', tensors: { x: rnd(3) }, params: { reps: [2, 1, 2] } },
  ],
  repeat_interleave: [
    { label: 'one count, flattened', tensors: { x: rnd(2, 2) }, params: { repeats: 2 } },
    {
      label: 'counts per entry along axis 1 (a zero)',
      tensors: { x: rnd(2, 3) },
      params: { repeats: [1, 0, 3], axis: 1 },
    },
  ],
  pad: [
    { label: 'constant', tensors: { x: rnd(2, 3) }, params: { pad: [1, 2], value: 5 } },
    { label: 'constant, negative widths crop', tensors: { x: rnd(3, 4) }, params: { pad: [-1, 1, 0, -1] } },
    { label: 'reflect', tensors: { x: rnd(2, 4) }, params: { pad: [2, 3], mode: 'reflect' } },
    { label: 'replicate, two axes', tensors: { x: rnd(2, 3) }, params: { pad: [2, 1, 1, 2], mode: 'replicate' } },
    { label: 'circular', tensors: { x: rnd(2, 3) }, params: { pad: [3, 1], mode: 'circular' } },
  ],
  tril: [{ label: 'diagonal -1, batch', tensors: { x: rnd(2, 3, 4) }, params: { diagonal: -1 } }],
  triu: [{ label: 'diagonal 1', tensors: { x: rnd(3, 4) }, params: { diagonal: 1 } }],
  diag: [
    { label: 'vector to matrix, diagonal 1', tensors: { x: rnd(3) }, params: { diagonal: 1 } },
    { label: 'square matrix', tensors: { x: rnd(3, 3) } },
    { label: 'wide matrix, diagonal -1', tensors: { x: rnd(3, 5) }, params: { diagonal: -1 } },
    { label: 'tall matrix, diagonal 2', tensors: { x: rnd(5, 3) }, params: { diagonal: 2 } },
  ],
  trace: [{ label: 'rectangular', tensors: { x: rnd(3, 4) } }],
  // linear algebra
  einsum: [
    { label: 'matmul', tensors: { operand0: rnd(2, 3), operand1: rnd(3, 4) }, params: { equation: 'ij,jk->ik' } },
    { label: 'diagonal ii->i', tensors: { operand0: rnd(3, 3) }, params: { equation: 'ii->i' } },
    {
      label: 'summed-only index, implicit output',
      tensors: { operand0: rnd(2, 3), operand1: rnd(3) },
      params: { equation: 'ij,j' },
    },
    {
      label: 'ellipsis batch',
      tensors: { operand0: rnd(2, 2, 3), operand1: rnd(2, 3, 2) },
      params: { equation: '...ij,...jk->...ik' },
    },
    {
      label: 'three operands, outer',
      tensors: { operand0: rnd(2), operand1: rnd(3), operand2: rnd(2, 3) },
      params: { equation: 'i,j,ij->' },
    },
  ],
  inv: [
    {
      label: 'batch',
      tensors: {
        x: [
          [
            [2, 1],
            [0.5, 3],
          ],
          [
            [1, 2],
            [3, 4],
          ],
        ],
      },
    },
  ],
  solve: [
    {
      label: 'matrix B',
      tensors: {
        A: [
          [3, 1, 0],
          [1, 4, 1],
          [0.5, 0, 2],
        ],
        B: rnd(3, 2),
      },
    },
    {
      label: 'vector B',
      tensors: {
        A: [
          [3, 1],
          [1, 4],
        ],
        B: [1, -2],
      },
    },
    {
      label: 'left=false',
      tensors: {
        A: [
          [3, 1],
          [1, 4],
        ],
        B: rnd(3, 2),
      },
      params: { left: false },
    },
    {
      label: 'batch',
      tensors: {
        A: [
          [
            [3, 1],
            [1, 4],
          ],
          [
            [2, 0],
            [1, 1],
          ],
        ],
        B: rnd(2, 2, 1),
      },
    },
  ],
  det: [
    {
      label: 'batch',
      tensors: {
        x: [
          [
            [2, 1],
            [0.5, 3],
          ],
          [
            [1, 2],
            [3, 4],
          ],
        ],
      },
    },
    {
      label: 'singular (rank 2 of 3)',
      tensors: {
        x: [
          [1, 2, 3],
          [2, 4, 6],
          [1, 0, 1],
        ],
      },
      formulaUndefined: SINGULAR,
    },
    {
      label: 'rank 1 of 3',
      tensors: {
        x: [
          [1, 2, 3],
          [2, 4, 6],
          [3, 6, 9],
        ],
      },
      formulaUndefined: SINGULAR,
    },
    { label: '5×5 (the rule takes inv past 4×4)', tensors: { x: rnd(5, 5) } },
  ],
  slogdet: [
    {
      label: 'batch, a negative determinant',
      tensors: {
        x: [
          [
            [2, 1],
            [0.5, 3],
          ],
          [
            [1, 2],
            [3, 4],
          ],
        ],
      },
    },
  ],
  cholesky: [
    { label: 'lower', tensors: { x: spd } },
    { label: 'upper', tensors: { x: spd }, params: { upper: true } },
    {
      label: 'batch',
      tensors: {
        x: [
          spd,
          [
            [2, -0.5, 0],
            [-0.5, 1, 0.25],
            [0, 0.25, 3],
          ],
        ],
      },
    },
  ],
};

const close = (got: number[], want: number[]) => {
  const scale = Math.max(1, ...want.map((v) => (Number.isFinite(v) ? Math.abs(v) : 0)));
  return (
    got.length === want.length &&
    got.every((v, i) => (Number.isNaN(v) && Number.isNaN(want[i])) || Math.abs(v - want[i]) <= 1e-9 * scale)
  );
};

const entries = allEntries().filter((e) => e.family !== 'elementwise') as ForwardEntry[];

describe('each family formula is the gradient its rule computes (ties, zeros, masks, axis and keepdim variants)', () => {
  it('every non-elementwise entry has cases, and every case names an entry', () => {
    expect(entries.length).toBeGreaterThanOrEqual(42);
    for (const e of entries) expect(CASES[e.name]?.length, `cases for ${e.name}`).toBeGreaterThan(0);
    for (const name of Object.keys(CASES))
      expect(
        entries.some((e) => e.name === name),
        name,
      ).toBe(true);
  });

  const rows = entries.flatMap((e) =>
    (CASES[e.name] ?? []).map((c) => [`${e.family} ${e.name}: ${c.label}`, e, c] as const),
  );
  it.each(rows)('%s', (_label, e, c) => {
    const tensors = Object.fromEntries(
      Object.entries(c.tensors).map(([k, v]) => [
        k,
        nb.tensor(v as number[], { dtype: 'float64', requiresGrad: true }),
      ]),
    );
    const params: Record<string, unknown> = Object.fromEntries(
      (e.params ?? []).filter((p) => !p.rest).map((p) => [p.name, p.default]),
    );
    for (const [k, v] of Object.entries(c.params ?? {}))
      params[k] =
        Array.isArray(v) && (k === 'target' || k === 'pos_weight' || k === 'weight')
          ? nb.tensor(v as number[], { dtype: 'float64' })
          : k === 'target' && typeof v === 'number'
            ? nb.tensor(v, { dtype: 'float64' })
            : v;
    const names = Object.keys(tensors);
    const inputs = names.filter((n) => e.inputs.includes(n)).map((n) => tensors[n]);
    const rest = e.params?.find((p) => p.rest);
    const kw: Record<string, unknown> = { ...params };
    for (const n of names) if (!e.inputs.includes(n) && !rest) kw[n] = tensors[n];
    if (rest) kw[rest.name] = names.map((n) => tensors[n]);
    // the target is data (its own gradient is not what these formulas state)
    const args = e.inputs.map((n) => (n in tensors ? tensors[n] : (params[n] as Tensor)));
    const result = e.forward(...args, kw);
    const outs = Array.isArray(result) ? result : [result];
    const gr = rng(e.name.length * 31 + c.label.length);
    const node = e.formulas?.length ? ruleNode(outs, e.formulas) : null;
    if (e.family === 'linalg' && e.name !== 'einsum')
      expect(node, `${e.name}'s formulas are its recorded OpDef's (declared once)`).not.toBeNull();
    if (node) return checkAtNode(e, c, node, gr);
    const grads = outs
      .map((o) =>
        nb.tensor(
          Array.from({ length: o.size }, () => Math.round((gr() * 2 - 1) * 1000) / 1000),
          { dtype: 'float64' },
        ),
      )
      .map((t, i) => nb.reshape(t, outs[i].shape));
    const live = outs.map((o, i) => [o, grads[i]] as const).filter(([o]) => o.requiresGrad);

    if (!e.formulas?.length) {
      expect(live.length, `${e.name} has no formula, so no output may be differentiable`).toBe(0);
      return;
    }
    expect(live.length, 'a differentiable output').toBeGreaterThan(0);
    const loss = live.map(([o, g]) => nb.sum(nb.mul(o, g))).reduce((a, b) => nb.add(a, b));
    const ruleGrads = nb.grad(
      loss,
      names.map((n) => tensors[n]),
      { allowUnused: true },
    ) as (Tensor | null)[];
    const formula = nb.noGrad(() =>
      evaluateFormula({
        entry: e,
        tensors: Object.fromEntries(names.map((n) => [n, nb.detach(tensors[n])])),
        params: { ...params, ...Object.fromEntries(Object.entries(kw).filter(([k]) => !(k in tensors))) },
        outs: outs.map((o) => nb.detach(o)),
        grads,
      }),
    );
    for (const [i, n] of names.entries()) {
      const got = formula.get(n);
      expect(got, `the formula "${e.formulas[0]}" states the gradient of ${n}`).toBeDefined();
      const rule = ruleGrads[i] ? Array.from(ruleGrads[i]!.toHost()) : new Array(tensors[n].size).fill(0);
      const want = Array.from(nb.cast(nb.expand(got!, tensors[n].shape), 'float64').toHost());
      expect(
        close(rule, want),
        `${e.name} (${c.label}) d${n}: rule [${rule.map((v) => +v.toPrecision(6))}], formula "${e.formulas[0]}" [${want.map((v) => +v.toPrecision(6))}]`,
      ).toBe(true);
    }
  });
});

/** The recorded node whose OpDef declared these formulas (the same array), searched back from the outputs. */
function ruleNode(outs: Tensor[], formulas: readonly string[]): Node | null {
  const stack = outs.map((o) => o.gradFn).filter((n): n is Node => !!n);
  const seen = new Set<Node>();
  while (stack.length) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    if (n.op.formulas === formulas) return n;
    for (const m of n.next) if (m) stack.push(m);
  }
  return null;
}

/** The formula text against the node's rule, on the node's saved inputs and output and a random incoming gradient. */
function checkAtNode(e: ForwardEntry, c: Case, node: Node, gr: () => number) {
  const saved = node.context();
  const g = nb.reshape(
    nb.tensor(
      Array.from(
        { length: node.outMeta.shape.reduce((a, b) => a * b, 1) },
        () => Math.round((gr() * 2 - 1) * 1000) / 1000,
      ),
      { dtype: 'float64' },
    ),
    node.outMeta.shape,
  );
  const rule = nb.noGrad(() => node.op.backward(g, saved));
  const tensors = Object.fromEntries(e.inputs.map((n, i) => [n, nb.detach(saved.inputs[i])]));
  const evaluate = (formulas: readonly string[]) =>
    nb.noGrad(() =>
      evaluateFormula({
        entry: { ...e, formulas },
        tensors,
        params: {},
        outs: saved.out ? [nb.detach(saved.out)] : [],
        grads: [g],
      }),
    );
  if (c.formulaUndefined) expect(() => evaluate(e.formulas!), c.formulaUndefined.why).toThrow();
  const texts = c.formulaUndefined ? [c.formulaUndefined.instead] : e.formulas!;
  const formula = evaluate(texts);
  for (const [i, n] of e.inputs.entries()) {
    const got = formula.get(n);
    expect(got, `the formula "${texts[i]}" states the gradient of ${n}`).toBeDefined();
    const want = Array.from(nb.cast(nb.expand(got!, saved.inputs[i].shape), 'float64').toHost());
    const ruleV = Array.from(rule[i]!.toHost());
    expect(
      close(ruleV, want),
      `${e.name} (${c.label}) d${n}: rule [${ruleV.map((v) => +v.toPrecision(6))}], formula "${texts[i]}" [${want.map((v) => +v.toPrecision(6))}]`,
    ).toBe(true);
  }
}
