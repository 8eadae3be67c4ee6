import { grad } from './autograd';
import { jacobianOf } from './tape';
import { detach } from './ops/shape';
import { clone } from './ops/shape';
import { zerosLike } from './ops/creation';
import { gradError } from './errors';
import type { Tensor } from './tensor';

/**
 * Function transforms in the style of torch.autograd.functional: each evaluates f at a fresh leaf copy of x,
 * so the caller's tensors are never marked or accumulated into.
 */
function freshLeaf(x: Tensor): Tensor {
  const t = clone(detach(x));
  t.requiresGrad = true;
  return t;
}

function call(f: (x: Tensor) => Tensor, x: Tensor, api: string): Tensor {
  const y = f(x);
  if (!y || typeof y !== 'object' || !('shape' in y)) throw gradError(api, 'the function must return a tensor');
  return y;
}

export function jacobian(f: (x: Tensor) => Tensor, x: Tensor, opts: { createGraph?: boolean } = {}): Tensor {
  const xi = freshLeaf(x);
  return jacobianOf(call(f, xi, 'jacobian'), xi, !!opts.createGraph);
}

export function hessian(f: (x: Tensor) => Tensor, x: Tensor): Tensor {
  return jacobian((xi) => {
    const y = call(f, xi, 'hessian');
    if (y.size !== 1) throw gradError('hessian', 'the function must return a single number');
    return (grad(y, xi, { createGraph: true, allowUnused: true }) as Tensor | null) ?? zerosLike(xi);
  }, x);
}

/** (f(x), vᵀ J): one reverse pass. */
export function vjp(f: (x: Tensor) => Tensor, x: Tensor, v?: Tensor | null): [Tensor, Tensor] {
  const xi = freshLeaf(x);
  const y = call(f, xi, 'vjp');
  const g = (grad(y, xi, { gradOutputs: v ?? null, allowUnused: true }) as Tensor | null) ?? zerosLike(xi);
  return [detach(y), g];
}

/**
 * (f(x), J v) by the double-vjp trick: g(u) = uᵀ J is linear in u, so its vjp with v is J v. Two reverse
 * passes, no forward mode needed, and it works for every op that has a reverse rule.
 */
export function jvp(f: (x: Tensor) => Tensor, x: Tensor, v: Tensor): [Tensor, Tensor] {
  const xi = freshLeaf(x);
  const y = call(f, xi, 'jvp');
  const u = zerosLike(y);
  u.requiresGrad = true;
  const g = grad(y, xi, { gradOutputs: u, createGraph: true, allowUnused: true }) as Tensor | null;
  if (!g || !g.gradFn) return [detach(y), zerosLike(y)];
  const jv = (grad(g, u, { gradOutputs: v, allowUnused: true }) as Tensor | null) ?? zerosLike(y);
  return [detach(y), jv];
}
