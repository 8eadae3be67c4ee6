import * as nb from '../../runtime';
import { LangError } from '../operators';
import { typeName, type Value } from '../values';
import { asInt, asNumber } from './convert';
import type { BuiltinTable } from './table';

/** Learning-rate schedules (torch.optim.lr_scheduler's rules and defaults) and clock(). */
function optimizerOf(v: Value, fn: string): nb.Optimizer<{ lr: number }> {
  if (!(v instanceof nb.Optimizer))
    throw new LangError(
      `${fn}: the first argument must be an optimizer such as adam(net.params), got a ${typeName(v)}`,
    );
  return v as nb.Optimizer<{ lr: number }>;
}

const choice = (v: Value, fn: string, what: string, options: string[]): string => {
  if (typeof v !== 'string' || !options.includes(v))
    throw new LangError(`${fn}: ${what} must be one of ${options.map((o) => `"${o}"`).join(', ')}`);
  return v;
};

export function addSchedules(t: BuiltinTable): void {
  const after =
    "Call sched.step() after opt.step(); sched.last_lr lists the groups' rates; compiled steps use the new rate.";
  t.add(
    'schedules',
    'step_lr',
    ['opt', 'step_size', 'gamma=0.1'],
    `PyTorch's StepLR: multiplies the learning rate by gamma every step_size steps. ${after}`,
    (o: Value, s: Value, g: Value) =>
      new nb.StepLR(optimizerOf(o, 'step_lr'), asInt(s, 'step_lr', 'step_size'), asNumber(g, 'step_lr', 'gamma')),
  );
  t.add(
    'schedules',
    'exponential_lr',
    ['opt', 'gamma'],
    `PyTorch's ExponentialLR: multiplies the learning rate by gamma every step. ${after}`,
    (o: Value, g: Value) =>
      new nb.ExponentialLR(optimizerOf(o, 'exponential_lr'), asNumber(g, 'exponential_lr', 'gamma')),
  );
  t.add(
    'schedules',
    'cosine_lr',
    ['opt', 't_max', 'eta_min=0'],
    `PyTorch's CosineAnnealingLR: lr = eta_min + (base_lr - eta_min)(1 + cos(pi step / t_max)) / 2. ${after}`,
    (o: Value, tm: Value, em: Value) =>
      new nb.CosineLR(
        optimizerOf(o, 'cosine_lr'),
        asInt(tm, 'cosine_lr', 't_max'),
        asNumber(em, 'cosine_lr', 'eta_min'),
      ),
  );
  t.add(
    'schedules',
    'reduce_on_plateau',
    [
      'opt',
      'mode="min"',
      'factor=0.1',
      'patience=10',
      'threshold=0.0001',
      'threshold_mode="rel"',
      'cooldown=0',
      'min_lr=0',
      'eps=1e-8',
    ],
    "PyTorch's ReduceLROnPlateau: sched.step(loss) multiplies the learning rate by factor once the watched value has not improved (by threshold) for more than patience steps.",
    (o: Value, mode: Value, f: Value, p: Value, th: Value, tm: Value, cd: Value, ml: Value, eps: Value) =>
      new nb.ReduceOnPlateau(optimizerOf(o, 'reduce_on_plateau'), {
        mode: choice(mode, 'reduce_on_plateau', 'mode', ['min', 'max']) as 'min',
        factor: asNumber(f, 'reduce_on_plateau', 'factor'),
        patience: asInt(p, 'reduce_on_plateau', 'patience'),
        threshold: asNumber(th, 'reduce_on_plateau', 'threshold'),
        thresholdMode: choice(tm, 'reduce_on_plateau', 'threshold_mode', ['rel', 'abs']) as 'rel',
        cooldown: asInt(cd, 'reduce_on_plateau', 'cooldown'),
        minLr: asNumber(ml, 'reduce_on_plateau', 'min_lr'),
        eps: asNumber(eps, 'reduce_on_plateau', 'eps'),
      }),
  );
  t.add(
    'io',
    'clock',
    [],
    'Seconds from a monotonic clock (performance.now), for timing: t0 = clock(); ...; print(steps / (clock() - t0), "steps/s").',
    () => performance.now() / 1000,
  );
}
