import { valueError } from '../errors';
import type { Tensor } from '../tensor';
import { adamOnDevice } from './device-step';
import {
  buffer,
  optionsOf,
  Optimizer,
  readGrad,
  requireNumber,
  writable,
  type ParamGroup,
  type Params,
} from './optimizer';
import * as libm from '../backends/js/libm';

export interface AdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
}

const DEFAULTS: AdamOptions = {
  lr: 1e-3,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weightDecay: 0,
  amsgrad: false,
  maximize: false,
};

/**
 * torch.optim.Adam (1.13, _single_tensor_adam), per element, with t the param's step count:
 *   g = ±grad (+ wd·p for Adam; AdamW instead first scales p by 1 − lr·wd);
 *   m = β1·m + (1 − β1)·g;  v = β2·v + (1 − β2)·g·g;  v̂ = amsgrad ? max(v̂, v) : v;
 *   p += −(lr / (1 − β1^t))·m / (√v̂ / √(1 − β2^t) + ε).
 * The evaluation order of each expression follows ATen's kernels (addcmul, addcdiv) so float64 runs agree
 * with PyTorch to the last few bits.
 */
export class Adam extends Optimizer<AdamOptions> {
  /** AdamW's decoupled weight decay (Loshchilov & Hutter) instead of L2 added to the gradient. */
  protected get decoupled(): boolean {
    return false;
  }

  constructor(params: Params<AdamOptions>, options: Partial<AdamOptions> = {}, name = 'adam', defaults = DEFAULTS) {
    super(name, params, defaults, options);
  }

  protected check(g: ParamGroup<AdamOptions>): void {
    requireNumber(this.name, 'lr', g.lr, (x) => x >= 0, '>= 0');
    requireNumber(this.name, 'eps', g.eps, (x) => x >= 0, '>= 0');
    requireNumber(this.name, 'weightDecay', g.weightDecay, (x) => x >= 0, '>= 0');
    if (!Array.isArray(g.betas) || g.betas.length !== 2)
      throw valueError(this.name, 'betas must be a pair of numbers, e.g. [0.9, 0.999]');
    g.betas.forEach((b, i) => requireNumber(this.name, `beta${i + 1}`, b, (x) => x >= 0 && x < 1, 'in [0, 1)'));
  }

  protected update(g: ParamGroup<AdamOptions>): void {
    const { lr, eps, weightDecay: wd, amsgrad, maximize } = g;
    const [beta1, beta2] = g.betas;
    for (const p of g.params) {
      if (!p.grad) continue;
      const st = this.stateOf(p);
      if (adamOnDevice(p, p.grad, st, g, this.decoupled, `${this.name}.step()`)) continue; // device-step.ts: the gradient is on a GPU
      const grad = readGrad(this.name, p, p.grad);
      if (st.step === undefined)
        Object.assign(st, {
          step: 0,
          expAvg: buffer(p),
          expAvgSq: buffer(p),
          ...(amsgrad ? { maxExpAvgSq: buffer(p) } : {}),
        });
      if (amsgrad && !st.maxExpAvgSq) st.maxExpAvgSq = buffer(p); // amsgrad switched on in a later step
      const step = ++st.step;
      const stepSize = lr / (1 - libm.pow(beta1, step));
      const bc2Sqrt = Math.sqrt(1 - libm.pow(beta2, step));
      const m = (st.expAvg as Tensor).storage.host;
      const v = (st.expAvgSq as Tensor).storage.host;
      const vMax = amsgrad ? (st.maxExpAvgSq as Tensor).storage.host : null;
      const w = writable(p, `${this.name}.step()`);
      const x = w.data;
      for (let i = 0; i < x.length; i++) {
        let gi = maximize ? -grad[i] : grad[i];
        if (this.decoupled) x[i] = x[i] * (1 - lr * wd);
        else if (wd !== 0) gi = gi + wd * x[i];
        m[i] = m[i] * beta1 + (1 - beta1) * gi;
        v[i] = v[i] * beta2 + (1 - beta2) * gi * gi;
        let s = v[i];
        if (vMax) s = vMax[i] = Math.max(vMax[i], v[i]);
        const denom = Math.sqrt(s) / bc2Sqrt + eps;
        x[i] = x[i] + (-stepSize * m[i]) / denom;
      }
      w.commit();
    }
  }
}

/** adam(params, lr=1e-3, betas=[0.9, 0.999], eps=1e-8, weightDecay=0, amsgrad=false, maximize=false). */
export function adam(
  params: Params<AdamOptions>,
  lrOrOptions?: number | Partial<AdamOptions>,
  options?: Partial<AdamOptions>,
): Adam {
  return new Adam(params, optionsOf(lrOrOptions, options));
}
