import { isComplex, realOf, type DType } from '../dtype';
import { cut, record } from '../engine';
import type { OpDef } from '../graph';
import type { Tensor } from '../tensor';
import { compute } from './util';

/**
 * dtype casts, the conjugate and the real part: ops that the other op files call (a binary op casts to the
 * promoted dtype, a complex rule conjugates) and that call no other op file, so they import nothing above
 * ./util.ts and no import circle runs through them. Gradients follow ./complex.ts's convention.
 */
const Cast: OpDef = {
  name: 'cast',
  gradName: 'ToCopyBackward0',
  formulas: ['{g} (cast back)'],
  backward: (g, { inputMeta: [m] }) => [
    g.dtype === m.dtype ? g : isComplex(g.dtype) && !isComplex(m.dtype) ? real(g) : cast(g, m.dtype),
  ],
};

export function cast(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x;
  const out = compute('cast', [x], {}, x.shape, dtype, 'cast');
  if (dtype === 'bool') return cut(out, 'a cast to bool', [x]);
  // a mask made by a comparison passes on where it was cut off (for missing-gradient diagnostics)
  if (x.dtype === 'bool') return cut(out, 'a cast from bool', [x]);
  return record(Cast, [x], { dtype }, out);
}

const Conj: OpDef = { name: 'conj', gradName: 'ConjBackward0', formulas: ['conj({g})'], backward: (g) => [conj(g)] };
const Real: OpDef = {
  name: 'real',
  gradName: 'RealBackward0',
  formulas: ['{g} + 0i'],
  backward: (g) => [cast(g, 'complex64')],
};

/** Conjugate; the identity on real tensors (so real rules can call it freely). */
export function conj(x: Tensor): Tensor {
  if (!isComplex(x.dtype)) return x;
  return record(Conj, [x], {}, compute('unary', [x], { fn: 'conj' }, x.shape, x.dtype, 'conj'));
}

export function real(x: Tensor): Tensor {
  if (!isComplex(x.dtype)) return x;
  return record(Real, [x], {}, compute('unary', [x], { fn: 'real' }, x.shape, realOf(x.dtype), 'real'));
}
