/**
 * The elementwise functions as gpu.js kernel expressions, one per entry of the js backend's REAL_UNARY and
 * REAL_BINARY tables (same names, same results: test/backends/gpujs.test.ts checks both the key sets and
 * the values). gpu.js transpiles a JavaScript subset, so each is written to mean what the js function means
 * on every input, NaN and ±Infinity included:
 * - truthiness (`not`, `and`, `or`, `where`'s condition): JS treats NaN as false, so "x is true" is
 *   `x !== 0 && x === x`;
 * - `sign` of NaN is 0 in the js table (neither > 0 nor < 0), not Math.sign's NaN;
 * - `round` is half-to-even like torch.round; gpu.js's Math.round is JS's half-up. |x| ≥ 2^23 is already an
 *   integer in float32, and skipping it keeps webasm's f32 `x + 0.5` from rounding.
 */
export const UNARY_EXPR: Record<string, string> = {
  neg: '-x',
  exp: 'Math.exp(x)',
  log: 'Math.log(x)',
  sqrt: 'Math.sqrt(x)',
  sin: 'Math.sin(x)',
  cos: 'Math.cos(x)',
  tan: 'Math.tan(x)',
  tanh: 'Math.tanh(x)',
  sigmoid: '(x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)))',
  relu: '(x > 0 ? x : 0)',
  softplus: 'Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)))',
  abs: 'Math.abs(x)',
  sign: '(x > 0 ? 1 : (x < 0 ? -1 : 0))',
  round:
    '(Math.abs(x) >= 8388608 ? x : (Math.floor(x + 0.5) - x === 0.5 && Math.floor(x + 0.5) - 2 * Math.floor((x + 0.5) / 2) !== 0' +
    ' ? Math.floor(x + 0.5) - 1 : Math.floor(x + 0.5)))',
  floor: 'Math.floor(x)',
  step: '(x > 0 ? 1 : 0)',
  // x - x is 0 for every finite x and NaN for NaN and ±Infinity
  isfinite: '(x - x === 0 ? 1 : 0)',
  not: '(x === 0 || x !== x ? 1 : 0)',
};

export const BINARY_EXPR: Record<string, string> = {
  add: 'a + b',
  sub: 'a - b',
  mul: 'a * b',
  div: 'a / b',
  pow: 'Math.pow(a, b)',
  maximum: 'Math.max(a, b)',
  minimum: 'Math.min(a, b)',
  atan2: 'Math.atan2(a, b)',
  eq: '(a === b ? 1 : 0)',
  ne: '(a !== b ? 1 : 0)',
  lt: '(a < b ? 1 : 0)',
  le: '(a <= b ? 1 : 0)',
  gt: '(a > b ? 1 : 0)',
  ge: '(a >= b ? 1 : 0)',
  and: '(a !== 0 && a === a && b !== 0 && b === b ? 1 : 0)',
  or: '((a !== 0 && a === a) || (b !== 0 && b === b) ? 1 : 0)',
};

/** where(c, a, b) reads c with the same truthiness as the js kernel's `C[i] ? A[i] : B[i]`. */
export const WHERE_EXPR = '(c !== 0 && c === c ? a : b)';

/** clamp with bounds passed as a 2-element array, so one kernel serves every (min, max) pair. */
export const CLAMP_EXPR = '(x < lo ? lo : (x > hi ? hi : x))';
