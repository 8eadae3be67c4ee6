import { isComplex, promote, type DType } from '../dtype';
import { cut, record } from '../engine';
import { shapeError, typeError } from '../errors';
import type { OpDef } from '../graph';
import { broadcastShapes, fmtShape } from '../shape';
import type { Tensor } from '../tensor';
import { cast, conj } from './casts';
import { ELEMENTWISE } from './registry';
import { opDefOf } from './elementwise-ops';
import { asTensor, compute, rawExpand, type TensorLike } from './util';

/**
 * Elementwise binary ops with NumPy broadcasting: declared in the op registry (./registry/elementwise.ts),
 * whose rules give the elementwise product that is summed back here to each input's broadcast shape.
 */
const BINARY: Record<string, OpDef> = Object.fromEntries(
  ELEMENTWISE.filter((e) => e.arity === 2).map((e) => [e.name, opDefOf(e, true)]),
);
const { pow: Pow } = BINARY;

/** Promotes dtypes, broadcasts shapes and runs the kernel; numbers take the tensor's dtype. */
function prepare(op: string, x: TensorLike, y: TensorLike): [Tensor, Tensor, number[], DType] {
  const dt: DType =
    typeof x === 'number' && typeof y !== 'number'
      ? (y as Tensor).dtype
      : typeof y === 'number' && typeof x !== 'number'
        ? (x as Tensor).dtype
        : 'float32';
  let a = asTensor(x, dt);
  let b = asTensor(y, dt);
  let dtype = promote(a.dtype, b.dtype);
  if (dtype === 'bool') dtype = 'float32';
  if (a.dtype !== dtype) a = cast(a, dtype);
  if (b.dtype !== dtype) b = cast(b, dtype);
  const shape = broadcastShapes(a.shape, b.shape);
  if (!shape) {
    throw shapeError(
      op,
      `shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)} do not broadcast (trailing dimensions must be equal or 1); reshape or transpose one of them`,
    );
  }
  return [a, b, shape, dtype];
}

function arith(def: OpDef, x: TensorLike, y: TensorLike): Tensor {
  const [a, b, shape, dtype] = prepare(def.name, x, y);
  const out = compute('binary', [rawExpand(a, shape), rawExpand(b, shape)], { fn: def.name }, shape, dtype, def.name);
  return record(def, [a, b], {}, out);
}

type Arith = (a: TensorLike, b: TensorLike) => Tensor;
/** Each binary entry but pow (below) as a function; an entry without a complex kernel rejects complex inputs by name. */
const ARITH: Record<string, Arith> = Object.fromEntries(
  ELEMENTWISE.filter((e) => e.arity === 2 && e.name !== 'pow').map((e) => [
    e.name,
    Object.defineProperty(
      (a: TensorLike, b: TensorLike) => (e.complex ? arith : realArith)(BINARY[e.name], a, b),
      'name',
      { value: e.name },
    ),
  ]),
);
export const { add, sub, mul, div, maximum, minimum, atan2, hypot, fmod } = ARITH;

function realArith(def: OpDef, x: TensorLike, y: TensorLike): Tensor {
  if ([x, y].some((t) => typeof t !== 'number' && isComplex(t.dtype)))
    throw typeError(def.name, `${def.name} is not defined for complex tensors; apply it to real(z), imag(z) or abs(z)`);
  return arith(def, x, y);
}

/** a ** b. A number exponent takes the cheaper scalar rule (powScalar); complex bases need a number exponent. */
export function pow(a: TensorLike, b: TensorLike): Tensor {
  if (typeof b === 'number' && typeof a !== 'number') return powScalar(a, b);
  if ([a, b].some((t) => typeof t !== 'number' && isComplex(t.dtype)))
    throw typeError('pow', 'a complex base needs a plain number exponent, e.g. z^2');
  return arith(Pow, a, b);
}

const PowScalar: OpDef = {
  name: 'pow',
  gradName: 'PowBackward0',
  formulas: ['{g} * {p} * {x0}^({p} - 1)'],
  backward: (g, { inputs: [a], attrs: { p } }) => [p === 0 ? mul(g, 0) : mul(g, conj(mul(powScalar(a, p - 1), p)))],
};

export function powScalar(a: Tensor, p: number): Tensor {
  let out: Tensor;
  if (p === 2) out = compute('binary', [a, a], { fn: 'mul' }, a.shape, a.dtype, 'pow');
  else if (isComplex(a.dtype)) {
    if (!Number.isInteger(p) || p < 1)
      throw typeError('pow', 'a complex base supports positive integer exponents only, e.g. z^2');
    out = a;
    for (let i = 1; i < p; i++) out = compute('binary', [out, a], { fn: 'mul' }, a.shape, a.dtype, 'pow');
    if (p === 1) out = compute('copy', [a], {}, a.shape, a.dtype, 'pow');
  } else out = compute('binary', [a, rawExpand(asTensor(p, a.dtype), a.shape)], { fn: 'pow' }, a.shape, a.dtype, 'pow');
  return record(PowScalar, [a], { p }, out);
}

/** Comparisons give bool tensors and are not differentiable (PyTorch's rule); the cut is remembered. */
function compare(fn: string, x: TensorLike, y: TensorLike): Tensor {
  const [a, b, shape] = prepare(fn, x, y);
  if (isComplex(a.dtype) && fn !== 'eq' && fn !== 'ne')
    throw typeError(fn, 'complex numbers cannot be ordered; compare abs(z) or real(z)');
  const out = compute('binary', [rawExpand(a, shape), rawExpand(b, shape)], { fn }, shape, 'bool', fn);
  return cut(out, `the comparison ${fn}`, [a, b]);
}

export const eq = (a: TensorLike, b: TensorLike) => compare('eq', a, b);
export const ne = (a: TensorLike, b: TensorLike) => compare('ne', a, b);
export const lt = (a: TensorLike, b: TensorLike) => compare('lt', a, b);
export const le = (a: TensorLike, b: TensorLike) => compare('le', a, b);
export const gt = (a: TensorLike, b: TensorLike) => compare('gt', a, b);
export const ge = (a: TensorLike, b: TensorLike) => compare('ge', a, b);
export const logicalAnd = (a: TensorLike, b: TensorLike) => compare('and', a, b);

export const BINARY_OPS = { ...BINARY, PowScalar };
