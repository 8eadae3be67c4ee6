import { Storage } from '../../storage';
import { PLANNERS, type Mode, type Plan } from './plans';

/**
 * The check kernel the GPU backends run before they say yes: a copy of a transposed 3×7 matrix through the
 * same planner and cache as every other call (21 cells, indices through the corrected division of
 * layout.ts), with values a 16-bit or 24-bit float would change. The result must equal the float32
 * values exactly.
 */
export function checkPlan(mode: Mode): { plan: Plan; verify(got: ArrayLike<number>): string | null } {
  const values = [16777215, 0.1, -2.5, 1 / 3, 1e-30, 65504.5, -7, 1e37];
  const host = new Float32Array(21);
  for (let i = 0; i < 21; i++) host[i] = values[i % values.length] * (i + 1);
  // logical 3×7, stored 7×3: element (r, c) at c * 3 + r
  const v = {
    storage: new Storage(host, 'float32'),
    shape: [3, 7],
    strides: [1, 3],
    offset: 0,
    dtype: 'float32' as const,
  };
  const plan = PLANNERS.copy([v], {}, { shape: [3, 7], dtype: 'float32' }, mode)!;
  const verify = (got: ArrayLike<number>) => {
    for (let r = 0; r < 3; r++)
      for (let c = 0; c < 7; c++) {
        const want = host[c * 3 + r];
        if (got[r * 7 + c] !== want)
          return `gpu.js ${mode} computed ${got[r * 7 + c]} where float32 holds ${want}: this GPU does not keep float32 values`;
      }
    return null;
  };
  return { plan, verify };
}
