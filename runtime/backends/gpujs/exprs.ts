import { BINARY_JS, UNARY_JS } from '../js/fns';

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
  ...UNARY_JS,
  // the nested conditional parenthesized, as verified on every gpu.js mode (test/web runs webgl2 and webgpu)
  sign: '(x > 0 ? 1 : (x < 0 ? -1 : 0))',
  round:
    '(Math.abs(x) >= 8388608 ? x : (Math.floor(x + 0.5) - x === 0.5 && Math.floor(x + 0.5) - 2 * Math.floor((x + 0.5) / 2) !== 0' +
    ' ? Math.floor(x + 0.5) - 1 : Math.floor(x + 0.5)))',
  // x - x is 0 for every finite x and NaN for NaN and ±Infinity
  isfinite: '(x - x === 0 ? 1 : 0)',
  not: '(x === 0 || x !== x ? 1 : 0)',
};

/** The js kernels' expressions, except that GLSL/WGSL have no truthiness: and/or spell out "nonzero, not NaN". */
export const BINARY_EXPR: Record<string, string> = {
  ...BINARY_JS,
  and: '(a !== 0 && a === a && b !== 0 && b === b ? 1 : 0)',
  or: '((a !== 0 && a === a) || (b !== 0 && b === b) ? 1 : 0)',
};

/** where(c, a, b) reads c with the same truthiness as the js kernel's `C[i] ? A[i] : B[i]`. */
export const WHERE_EXPR = '(c !== 0 && c === c ? a : b)';

/** clamp with bounds passed as a 2-element array, so one kernel serves every (min, max) pair. */
export const CLAMP_EXPR = '(x < lo ? lo : (x > hi ? hi : x))';

/**
 * A GPU form: a plain expression, or statements that compute it from the input `x` (their names start
 * with `t_`, clear of the planner's `i`, `c…`, `in…`).
 */
export type GpuExpr = string | { lines: string[]; value: string };

/**
 * Reduces x by π/2 (Cody–Waite in three parts: each k·part is exact in f32 for |k| < 8192, which the guard
 * keeps to with |x| ≤ 8192), then evaluates Cephes' float32 sin and cos polynomials on |r| ≤ π/4 and picks
 * by quadrant: about 1 ulp on every GPU, where the builtins are allowed 2^-11 absolute error (Vulkan's
 * precision table, which SwiftShader and WebGPU drivers follow; SwiftShader's sin(−2.36) is off by 2.3e-5).
 */
const REDUCED = [
  'const t_k = Math.floor(x * 0.6366197723675814 + 0.5);',
  'const t_r = ((x - t_k * 1.5703125) - t_k * 0.0004837512969970703) - t_k * 7.549789954891882e-8;',
  'const t_z = t_r * t_r;',
  'const t_s = t_r + t_r * t_z * ((-0.00019515295891 * t_z + 0.0083321608736) * t_z - 0.16666654611);',
  'const t_c = 1 - 0.5 * t_z + t_z * t_z * ((0.00002443315711809948 * t_z - 0.001388731625493765) * t_z + 0.04166664568298827);',
  'const t_q = t_k - 4 * Math.floor(t_k * 0.25);',
];

/**
 * What the GPU modes (webgl2, webgpu) compute instead, where the shader builtin differs from the js
 * function on the inputs the guard (guard.ts) lets through, or falls short of float32 accuracy. Vulkan's
 * precision table (which WebGPU and ANGLE-on-Vulkan inherit, and SwiftShader implements) allows sin/cos
 * 2^-11 absolute error, atan 4096 ulp, log 2^-21 absolute near 1, exp 3 + 2|x| ulp, division 2.5 ulp;
 * + − × are exact-rounded. So:
 * - `sin`, `cos`, `tan`: REDUCED above;
 * - `pow`: GLSL and WGSL leave pow(x, y) undefined for x < 0 (it is exp2(y·log2 x)), while the js kernel
 *   gives (-2)^3 = -8; for a negative base with an integer exponent this takes |a|^b with the sign of an
 *   odd exponent (the guard declines negative bases with a fractional exponent);
 * - `tanh`: GPU tanh is (e^2x − 1)/(e^2x + 1), which loses all relative accuracy near 0 (tanh(1e-4) off by
 *   6e-4 relative) and is NaN past |x| ≈ 44 on some drivers; a short series near 0 and 1 − 2/(e^2|x| + 1)
 *   elsewhere keep it within float32 tolerance everywhere;
 * - `softplus`: log1p(e) as 2·atanh(e/(2 + e)) by its series (e ≤ 1, so the ratio is at most 1/3 and eight
 *   terms reach 1e-9), since GPU log1p is log(1 + e), which loses a small e, and log near 1 is loose;
 * - atan2 has no GPU form: the guard declines it.
 */
export const GPU_UNARY_EXPR: Record<string, GpuExpr> = {
  ...UNARY_EXPR,
  sin: { lines: REDUCED, value: '(t_q === 0 ? t_s : (t_q === 1 ? t_c : (t_q === 2 ? -t_s : -t_c)))' },
  cos: { lines: REDUCED, value: '(t_q === 0 ? t_c : (t_q === 1 ? -t_s : (t_q === 2 ? -t_c : t_s)))' },
  tan: { lines: REDUCED, value: '(t_q === 0 || t_q === 2 ? t_s / t_c : -t_c / t_s)' },
  tanh:
    '(Math.abs(x) < 0.0625 ? x * (1 - x * x * (0.3333333333333333 - x * x * 0.13333333333333333))' +
    ' : (x > 0 ? 1 : -1) * (1 - 2 / (Math.exp(2 * Math.abs(x)) + 1)))',
  softplus: {
    lines: ['const t_e = Math.exp(-Math.abs(x));', 'const t_s = t_e / (2 + t_e);', 'const t_w = t_s * t_s;'],
    value:
      'Math.max(x, 0) + 2 * t_s * (1 + t_w * (0.3333333333333333 + t_w * (0.2 + t_w * (0.14285714285714285 + t_w * (0.1111111111111111' +
      ' + t_w * (0.09090909090909091 + t_w * (0.07692307692307693 + t_w * 0.06666666666666667)))))))',
  },
};

export const GPU_BINARY_EXPR: Record<string, string> = {
  ...BINARY_EXPR,
  pow: '(b === 0 ? 1 : (a < 0 ? (b - 2 * Math.floor(b / 2) === 1 ? -1 : 1) * Math.pow(-a, b) : Math.pow(a, b)))',
};
