import { median } from './stats';

/**
 * Times one workload in this process: warm up (JIT, kernel caches, traces) for `warm` ms, then take
 * samples of whole iterations, each sample at least `sampleMs` long, until `budgetMs` have passed; returns
 * the median time per iteration in ms. The peers' scripts (bench/peers/) use the same rule.
 */
export function measure(
  fn: () => unknown,
  opts: { warm?: number; sampleMs?: number; budgetMs?: number } = {},
): { ms: number; samples: number } {
  const warm = opts.warm ?? 300;
  const sampleMs = opts.sampleMs ?? 20;
  const budget = opts.budgetMs ?? 1200;
  let t0 = performance.now();
  let n = 0;
  while (n < 3 || performance.now() - t0 < warm) {
    fn();
    n++;
  }
  const per: number[] = [];
  t0 = performance.now();
  while (per.length < 5 || (performance.now() - t0 < budget && per.length < 60)) {
    const s = performance.now();
    let k = 0;
    let now = s;
    do {
      fn();
      k++;
      now = performance.now();
    } while (now - s < sampleMs);
    per.push((now - s) / k);
  }
  return { ms: median(per), samples: per.length };
}
