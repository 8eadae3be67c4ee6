import { valueError } from '../errors';
import type { Tensor } from '../tensor';
import { sgdOnDevice } from './device-step';
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

export interface SGDOptions {
  lr: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weightDecay: number;
  maximize: boolean;
}

const DEFAULTS: SGDOptions = {
  lr: undefined as unknown as number,
  momentum: 0,
  dampening: 0,
  nesterov: false,
  weightDecay: 0,
  maximize: false,
};

/**
 * torch.optim.SGD (1.13, _single_tensor_sgd), per element:
 *   d = ±g + wd·p;  buf = d on the first step, else momentum·buf + (1 − dampening)·d;
 *   d = nesterov ? d + momentum·buf : buf;  p −= lr·d.
 */
export class SGD extends Optimizer<SGDOptions> {
  constructor(params: Params<SGDOptions>, options: Partial<SGDOptions> = {}) {
    super('sgd', params, DEFAULTS, options);
  }

  protected check(g: ParamGroup<SGDOptions>): void {
    requireNumber(this.name, 'lr', g.lr, (x) => x >= 0, 'a number >= 0 (sgd has no default learning rate)');
    requireNumber(this.name, 'momentum', g.momentum, (x) => x >= 0, '>= 0');
    requireNumber(this.name, 'dampening', g.dampening, Number.isFinite, 'a number');
    requireNumber(this.name, 'weightDecay', g.weightDecay, (x) => x >= 0, '>= 0');
    if (g.nesterov && (g.momentum <= 0 || g.dampening !== 0)) {
      throw valueError(this.name, 'nesterov momentum requires a momentum > 0 and zero dampening');
    }
  }

  protected update(g: ParamGroup<SGDOptions>): void {
    const { lr, momentum, dampening, nesterov, weightDecay: wd, maximize } = g;
    for (const p of g.params) {
      if (!p.grad) continue;
      if (sgdOnDevice(p, p.grad, this.stateOf(p), g, 'sgd.step()')) continue; // device-step.ts: the gradient is on a GPU
      const grad = readGrad(this.name, p, p.grad);
      const w = writable(p, 'sgd.step()');
      const st = this.stateOf(p);
      const first = momentum !== 0 && !st.momentumBuffer;
      if (first) st.momentumBuffer = buffer(p);
      const buf = momentum !== 0 ? (st.momentumBuffer as Tensor).storage.host : null;
      const x = w.data;
      for (let i = 0; i < x.length; i++) {
        let d = maximize ? -grad[i] : grad[i];
        if (wd !== 0) d = d + wd * x[i];
        if (buf) {
          buf[i] = first ? d : buf[i] * momentum + (1 - dampening) * d;
          d = nesterov ? d + momentum * buf[i] : buf[i];
        }
        x[i] = x[i] - lr * d;
      }
      w.commit();
    }
  }
}

/** sgd(params, lr=, momentum=0, dampening=0, nesterov=false, weightDecay=0, maximize=false). */
export function sgd(
  params: Params<SGDOptions>,
  lrOrOptions?: number | Partial<SGDOptions>,
  options?: Partial<SGDOptions>,
): SGD {
  return new SGD(params, optionsOf(lrOrOptions, options));
}
