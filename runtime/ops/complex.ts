import { isComplex, realOf, type DType } from '../dtype';
import { cut, record } from '../engine';
import { typeError } from '../errors';
import type { OpDef } from '../graph';
import { broadcastShapes, fmtShape } from '../shape';
import { Tensor } from '../tensor';
import { add, div, lt, mul } from './binary';
import { where } from './where';
import { compute, rawExpand } from './util';

/**
 * Complex numbers and dtype casts. Gradients follow PyTorch's convention: for a real loss L of z = x + iy,
 * the gradient is dL/dx + i dL/dy, so torch.autograd and Nabla agree on complex inputs.
 */
const Cast: OpDef = {
  name: 'cast',
  gradName: 'ToCopyBackward0',
  formulas: ['{g} (cast back)'],
  backward: (g, { inputMeta: [m] }) => [g.dtype === m.dtype ? g : isComplex(g.dtype) && !isComplex(m.dtype) ? real(g) : cast(g, m.dtype)],
};

export function cast(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x;
  const out = compute('cast', [x], {}, x.shape, dtype, 'cast');
  if (dtype === 'bool') return cut(out, 'a cast to bool', [x]);
  // a mask made by a comparison passes on where it was cut off (for missing-gradient diagnostics)
  if (x.dtype === 'bool') return cut(out, 'a cast from bool', [x]);
  return record(Cast, [x], { dtype }, out);
}

export function complexScalar(re: number, im: number): Tensor {
  return Tensor.fromHost(new Float32Array([re, im]), [], 'complex64', 'scalar');
}

const Conj: OpDef = { name: 'conj', gradName: 'ConjBackward0', formulas: ["conj({g})"], backward: (g) => [conj(g)] };
const Real: OpDef = { name: 'real', gradName: 'RealBackward0', formulas: ['{g} + 0i'], backward: (g) => [cast(g, 'complex64')] };
const Imag: OpDef = { name: 'imag', gradName: 'ImagBackward0', formulas: ['{g} * i'], backward: (g) => [mul(cast(g, 'complex64'), complexScalar(0, 1))] };
const Complex: OpDef = { name: 'complex', gradName: 'ComplexBackward0', formulas: ['real({g})', 'imag({g})'], backward: (g) => [real(g), imag(g)] };
const Angle: OpDef = {
  name: 'angle',
  gradName: 'AngleBackward0',
  formulas: ['{g} * i * {x0} / |{x0}|^2'],
  backward: (g, { inputs: [z] }) => {
    const r2 = real(mul(z, conj(z)));
    return [mul(g, div(mul(z, complexScalar(0, 1)), r2))];
  },
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

export function imag(x: Tensor): Tensor {
  if (!isComplex(x.dtype)) return mul(x, 0);
  return record(Imag, [x], {}, compute('unary', [x], { fn: 'imag' }, x.shape, realOf(x.dtype), 'imag'));
}

export function complex(re: Tensor, im: Tensor): Tensor {
  if (isComplex(re.dtype) || isComplex(im.dtype)) throw typeError('complex', 'both parts must be real tensors');
  const shape = broadcastShapes(re.shape, im.shape);
  if (!shape) throw typeError('complex', `real part ${fmtShape(re.shape)} and imaginary part ${fmtShape(im.shape)} do not broadcast`);
  const r = re.dtype === 'float32' ? re : cast(re, 'float32');
  const i = im.dtype === 'float32' ? im : cast(im, 'float32');
  const out = compute('complex', [rawExpand(r, shape), rawExpand(i, shape)], {}, shape, 'complex64', 'complex');
  return record(Complex, [r, i], {}, out);
}

/** Phase angle; for real tensors pi where negative, else 0 (flat, so zero gradient). */
export function angle(x: Tensor): Tensor {
  if (!isComplex(x.dtype)) return add(mul(x, 0), where(lt(x, 0), Math.PI, 0));
  return record(Angle, [x], {}, compute('unary', [x], { fn: 'angle' }, x.shape, realOf(x.dtype), 'angle'));
}
