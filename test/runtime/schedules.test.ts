import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import * as nb from '../../runtime';
import { hasTorch, python } from '../python-torch';

/**
 * Learning-rate schedules against PyTorch's own schedulers (run here through Debian's python3-torch), and the
 * rates reaching compiled steps.
 */

const metrics = [5, 4, 4, 4, 4, 3.9999, 4, 4, 4, 4, 4, 2, 2, 2, 2, 2, 2, 2, 2, 2];

function torchRates(): Record<string, number[]> {
  const script = `
import json, torch
def run(make, n=20, metric=None):
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=0.5)
    s = make(opt)
    out = []
    for i in range(n):
        opt.step()
        if metric is None: s.step()
        else: s.step(metric[i])
        out.append(opt.param_groups[0]["lr"])
    return out
m = ${JSON.stringify(metrics)}
print(json.dumps({
  "step": run(lambda o: torch.optim.lr_scheduler.StepLR(o, 3, gamma=0.5)),
  "exp": run(lambda o: torch.optim.lr_scheduler.ExponentialLR(o, 0.9)),
  "cos": run(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, 7, eta_min=0.01)),
  "plateau": run(lambda o: torch.optim.lr_scheduler.ReduceLROnPlateau(o, patience=2, cooldown=1, factor=0.5), metric=m),
  "plateau_abs_max": run(lambda o: torch.optim.lr_scheduler.ReduceLROnPlateau(o, mode="max", threshold_mode="abs", threshold=0.5, patience=1), metric=m),
}))`;
  const r = spawnSync(python, ['-c', script], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

function ours(make: (o: nb.Optimizer<{ lr: number }>) => { step(m?: number): void }, metric?: number[]): number[] {
  const p = nb.param([0]);
  const opt = nb.sgd([p], 0.5) as unknown as nb.Optimizer<{ lr: number }>;
  const s = make(opt);
  return metrics.map((_, i) => {
    p.grad = nb.tensor([1]);
    (opt as unknown as nb.SGD).step();
    if (metric) s.step(metric[i]);
    else s.step();
    return opt.paramGroups[0].lr;
  });
}

describe("schedules give PyTorch's rates", () => {
  it.runIf(hasTorch)(
    'StepLR, ExponentialLR, CosineAnnealingLR, ReduceLROnPlateau (min/rel with cooldown, max/abs)',
    () => {
      const t = torchRates();
      const close = (a: number[], b: number[]) => a.forEach((v, i) => expect(v).toBeCloseTo(b[i], 14));
      close(
        ours((o) => new nb.StepLR(o, 3, 0.5)),
        t.step,
      );
      close(
        ours((o) => new nb.ExponentialLR(o, 0.9)),
        t.exp,
      );
      close(
        ours((o) => new nb.CosineLR(o, 7, 0.01)),
        t.cos,
      );
      close(
        ours((o) => new nb.ReduceOnPlateau(o, { patience: 2, cooldown: 1, factor: 0.5 }), metrics),
        t.plateau,
      );
      close(
        ours(
          (o) => new nb.ReduceOnPlateau(o, { mode: 'max', thresholdMode: 'abs', threshold: 0.5, patience: 1 }),
          metrics,
        ),
        t.plateau_abs_max,
      );
      expect(new Set(t.plateau).size).toBeGreaterThan(2); // the plateau test exercises reductions
    },
    180_000,
  );

  it('a compiled step uses the rate the schedule set', () => {
    const w = nb.param([1]);
    const opt = nb.sgd([w], 1);
    const sched = new nb.StepLR(opt as unknown as nb.Optimizer<{ lr: number }>, 1, 0.5);
    const step = nb.compile(() => {
      opt.zeroGrad();
      nb.backward(nb.sum(w));
      opt.step();
    });
    const seen: number[] = [];
    for (let i = 0; i < 4; i++) {
      const before = w.item() as number;
      step();
      seen.push(before - (w.item() as number));
      sched.step();
    }
    expect(seen).toEqual([1, 0.5, 0.25, 0.125]);
    expect(step.info.replays).toBeGreaterThan(0);
  });

  it('rejects bad settings with sentences', () => {
    const opt = nb.sgd([nb.param([1])], 1) as unknown as nb.Optimizer<{ lr: number }>;
    expect(() => new nb.StepLR(opt, 0)).toThrow(/step_size.*positive whole number/);
    expect(() => new nb.ReduceOnPlateau(opt, { mode: 'up' as 'min' })).toThrow(/mode must be "min" or "max"/);
    expect(() => new nb.ReduceOnPlateau(opt).step(undefined)).toThrow(/needs the watched value/);
  });
});
