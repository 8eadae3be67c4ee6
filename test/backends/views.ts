import { expect } from 'vitest';
import { firstMiss } from './layouts';

/** The layouts of ./layouts.ts (free of vitest, so the browser tests bundle them), and vitest's check. */
export * from './layouts';

/** Float32 agreement: equal (Infinity too), both NaN, or within atol + rtol·|want|. */
export function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, label: string, rtol = 1e-5, atol = 1e-6) {
  const miss = firstMiss(got, want, rtol, atol);
  if (miss) expect.fail(`${label}: ${miss}`);
}
