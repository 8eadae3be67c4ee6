import { Adam, type AdamOptions } from './adam';
import { optionsOf, type Params } from './optimizer';

const DEFAULTS: AdamOptions = {
  lr: 1e-3,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weightDecay: 1e-2,
  amsgrad: false,
  maximize: false,
};

/** torch.optim.AdamW (1.13): Adam with decoupled weight decay, p ← p·(1 − lr·wd) before the Adam step. */
export class AdamW extends Adam {
  protected override get decoupled(): boolean {
    return true;
  }

  constructor(params: Params<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super(params, options, 'adamw', DEFAULTS);
  }
}

/** adamw(params, lr=1e-3, betas=[0.9, 0.999], eps=1e-8, weightDecay=1e-2, amsgrad=false, maximize=false). */
export function adamw(
  params: Params<AdamOptions>,
  lrOrOptions?: number | Partial<AdamOptions>,
  options?: Partial<AdamOptions>,
): AdamW {
  return new AdamW(params, optionsOf(lrOrOptions, options));
}
