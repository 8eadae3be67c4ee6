import { isComplex, realOf } from '../dtype';
import { record } from '../engine';
import { typeError } from '../errors';
import type { OpDef } from '../graph';
import { broadcastShapes, fmtShape } from '../shape';
import { Tensor } from '../tensor';
import { add, div, lt, mul } from './binary';
import { cast, conj, real } from './casts';
import { where } from './where';
import { compute, rawExpand } from './util';

/**
 * Complex numbers. Gradients follow PyTorch's convention: for a real loss L of z = x + iy,
 * the gradient is dL/dx + i dL/dy, so torch.autograd and Nabla agree on complex inputs. Casts, conj and real
 * live in ./casts.ts (every op file needs them, and they need no other op).
 */
export { cast, conj, real };

export function complexScalar(re: number, im: number): Tensor {
  return Tensor.fromHost(new Float32Array([re, im]), [], 'complex64', 'scalar');
}

const Imag: OpDef = {
  name: 'imag',
  gradName: 'ImagBackward0',
  formulas: ['{g} * i'],
  backward: (g) => [mul(cast(g, 'complex64'), complexScalar(0, 1))],
};
const Complex: OpDef = {
  name: 'complex',
  gradName: 'ComplexBackward0',
  formulas: ['real({g})', 'imag({g})'],
  backward: (g) => [real(g), imag(g)],
};
const Angle: OpDef = {
  name: 'angle',
  gradName: 'AngleBackward0',
  formulas: ['{g} * i * {x0} / |{x0}|^2'],
  backward: (g, { inputs: [z] }) => {
    const r2 = real(mul(z, conj(z)));
    return [mul(g, div(mul(z, complexScalar(0, 1)), r2))];
  },
};

export function imag(x: Tensor): Tensor {
  if (!isComplex(x.dtype)) return mul(x, 0);
  return record(Imag, [x], {}, compute('unary', [x], { fn: 'imag' }, x.shape, realOf(x.dtype), 'imag'));
}

export function complex(re: Tensor, im: Tensor): Tensor {
  if (isComplex(re.dtype) || isComplex(im.dtype)) throw typeError('complex', 'both parts must be real tensors');
  const shape = broadcastShapes(re.shape, im.shape);
  if (!shape)
    throw typeError(
      'complex',
      `real part ${fmtShape(re.shape)} and imaginary part ${fmtShape(im.shape)} do not broadcast`,
    );
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
