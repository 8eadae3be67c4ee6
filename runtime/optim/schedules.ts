import { valueError } from '../errors';
import { requireNumber, type Optimizer } from './optimizer';
import * as libm from '../backends/js/libm';

/**
 * Learning-rate schedules with torch.optim.lr_scheduler's names, defaults and closed-form values. A schedule
 * keeps each group's starting lr (base_lr) and, at every step(), writes the new lr into the optimizer's
 * groups, which the next opt.step() reads (compiled steps too: a replay calls the optimizer's update again).
 * As in PyTorch, call sched.step() after opt.step(), once per epoch or iteration.
 */
type AnyOptimizer = Optimizer<{ lr: number }>;

abstract class Schedule {
  readonly baseLrs: number[];
  /** How many times step() was called (PyTorch's last_epoch). */
  epoch = 0;

  constructor(
    readonly name: string,
    readonly optimizer: AnyOptimizer,
  ) {
    if (!optimizer || !Array.isArray((optimizer as { paramGroups?: unknown }).paramGroups))
      throw valueError(name, 'the first argument must be an optimizer, e.g. step_lr(opt, 100)');
    this.baseLrs = optimizer.paramGroups.map((g) => g.lr);
  }

  /** The lr of every group now (PyTorch's get_last_lr()). */
  get lastLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  protected abstract lrAt(base: number, epoch: number): number;

  step(...extra: unknown[]): void {
    if (extra.length)
      throw valueError(this.name, `step() takes no arguments (it counts steps itself), got ${extra.length}`);
    this.epoch++;
    this.optimizer.paramGroups.forEach((g, i) => (g.lr = this.lrAt(this.baseLrs[i], this.epoch)));
  }

  protected abstract options(): string;

  toString(): string {
    return `${this.name}(${this.options()}): step ${this.epoch}, lr ${this.lastLr.join(', ')}`;
  }
}

/** StepLR: lr = base · gamma^floor(epoch / step_size). */
export class StepLR extends Schedule {
  constructor(
    opt: AnyOptimizer,
    readonly stepSize: number,
    readonly gamma = 0.1,
  ) {
    super('step_lr', opt);
    requireNumber(this.name, 'step_size', stepSize, (x) => Number.isInteger(x) && x > 0, 'a positive whole number');
    requireNumber(this.name, 'gamma', gamma, (x) => x > 0, '> 0');
  }
  protected lrAt(base: number, epoch: number): number {
    return base * libm.pow(this.gamma, Math.floor(epoch / this.stepSize));
  }
  protected options(): string {
    return `step_size=${this.stepSize}, gamma=${this.gamma}`;
  }
}

/** ExponentialLR: lr = base · gamma^epoch. */
export class ExponentialLR extends Schedule {
  constructor(
    opt: AnyOptimizer,
    readonly gamma: number,
  ) {
    super('exponential_lr', opt);
    requireNumber(this.name, 'gamma', gamma, (x) => x > 0, '> 0');
  }
  protected lrAt(base: number, epoch: number): number {
    return base * libm.pow(this.gamma, epoch);
  }
  protected options(): string {
    return `gamma=${this.gamma}`;
  }
}

/** CosineAnnealingLR (its closed form): lr = eta_min + (base − eta_min)·(1 + cos(π·epoch / T_max)) / 2. */
export class CosineLR extends Schedule {
  constructor(
    opt: AnyOptimizer,
    readonly tMax: number,
    readonly etaMin = 0,
  ) {
    super('cosine_lr', opt);
    requireNumber(this.name, 't_max', tMax, (x) => Number.isInteger(x) && x > 0, 'a positive whole number');
    requireNumber(this.name, 'eta_min', etaMin, (x) => x >= 0, '>= 0');
  }
  protected lrAt(base: number, epoch: number): number {
    return this.etaMin + ((base - this.etaMin) * (1 + libm.cos((Math.PI * epoch) / this.tMax))) / 2;
  }
  protected options(): string {
    return `t_max=${this.tMax}, eta_min=${this.etaMin}`;
  }
}

export interface PlateauOptions {
  mode: 'min' | 'max';
  factor: number;
  patience: number;
  threshold: number;
  thresholdMode: 'rel' | 'abs';
  cooldown: number;
  minLr: number;
  eps: number;
}

const PLATEAU: PlateauOptions = {
  mode: 'min',
  factor: 0.1,
  patience: 10,
  threshold: 1e-4,
  thresholdMode: 'rel',
  cooldown: 0,
  minLr: 0,
  eps: 1e-8,
};

/** ReduceLROnPlateau: step(metric) multiplies lr by factor after `patience` steps without improvement. */
export class ReduceOnPlateau {
  readonly name = 'reduce_on_plateau';
  readonly options: PlateauOptions;
  best: number;
  badSteps = 0;
  cooldownLeft = 0;
  epoch = 0;

  constructor(
    readonly optimizer: AnyOptimizer,
    options: Partial<PlateauOptions> = {},
  ) {
    if (!optimizer || !Array.isArray((optimizer as { paramGroups?: unknown }).paramGroups))
      throw valueError(this.name, 'the first argument must be an optimizer, e.g. reduce_on_plateau(opt)');
    const o = (this.options = {
      ...PLATEAU,
      ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
    });
    if (o.mode !== 'min' && o.mode !== 'max')
      throw valueError(this.name, `mode must be "min" or "max", got ${JSON.stringify(o.mode)}`);
    if (o.thresholdMode !== 'rel' && o.thresholdMode !== 'abs')
      throw valueError(this.name, `threshold_mode must be "rel" or "abs", got ${JSON.stringify(o.thresholdMode)}`);
    requireNumber(this.name, 'factor', o.factor, (x) => x > 0 && x < 1, 'in (0, 1)');
    requireNumber(this.name, 'patience', o.patience, (x) => Number.isInteger(x) && x >= 0, 'a whole number >= 0');
    requireNumber(this.name, 'cooldown', o.cooldown, (x) => Number.isInteger(x) && x >= 0, 'a whole number >= 0');
    requireNumber(this.name, 'threshold', o.threshold, (x) => x >= 0, '>= 0');
    requireNumber(this.name, 'min_lr', o.minLr, (x) => x >= 0, '>= 0');
    this.best = o.mode === 'min' ? Infinity : -Infinity;
  }

  get lastLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  private better(a: number): boolean {
    const { mode, thresholdMode: tm, threshold: th } = this.options;
    if (mode === 'min') return tm === 'rel' ? a < this.best * (1 - th) : a < this.best - th;
    return tm === 'rel' ? a > this.best * (th + 1) : a > this.best + th;
  }

  step(metric: unknown, ...extra: unknown[]): void {
    if (extra.length) throw valueError(this.name, 'step(metric) takes one argument: the value watched (e.g. the loss)');
    const m = typeof metric === 'number' ? metric : (metric as { item?: () => unknown })?.item?.();
    if (typeof m !== 'number')
      throw valueError(
        this.name,
        'step(metric) needs the watched value as a number or one-element tensor, e.g. sched.step(loss)',
      );
    this.epoch++;
    if (this.better(m)) {
      this.best = m;
      this.badSteps = 0;
    } else this.badSteps++;
    if (this.cooldownLeft > 0) {
      this.cooldownLeft--;
      this.badSteps = 0;
    }
    if (this.badSteps > this.options.patience) {
      for (const g of this.optimizer.paramGroups) {
        const lr = Math.max(g.lr * this.options.factor, this.options.minLr);
        if (g.lr - lr > this.options.eps) g.lr = lr;
      }
      this.cooldownLeft = this.options.cooldown;
      this.badSteps = 0;
    }
  }

  toString(): string {
    const o = this.options;
    return `reduce_on_plateau(mode="${o.mode}", factor=${o.factor}, patience=${o.patience}, threshold=${o.threshold}, threshold_mode="${o.thresholdMode}", cooldown=${o.cooldown}, min_lr=${o.minLr}, eps=${o.eps}): best ${this.best}, lr ${this.lastLr.join(', ')}`;
  }
}
