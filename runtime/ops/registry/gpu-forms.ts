import type { GpuExpr } from './types';

/**
 * GPU forms of the elementwise ops whose shader builtin is missing or falls short of float32 accuracy
 * (elementwise.ts declares them as `gpu` or `gpuShader`). Written from exp, log, sqrt, abs and arithmetic,
 * which Vulkan's precision table keeps close (exp 3 + 2|x| ulp; log 2^-21 absolute near 1, so every log
 * of a value near 1 goes through the log1p series below); statement names start with `t_`. Polynomials:
 * Taylor series cut where the next term is below float32's half ulp on the branch, and Cephes' float32
 * atan/asin minimax polynomials.
 */

const LN2 = '0.6931471805599453';
const HALF_PI = '1.5707963267948966';
const PI = '3.141592653589793';

/** 2·atanh(s) by its series, s² = w ≤ 1/9: log1p(u) for s = u / (2 + u), |u| ≤ 1/2 (the next term is < 1.4e-8). */
const atanhSeries = (s: string, w: string) =>
  `2 * ${s} * (1 + ${w} * (0.3333333333333333 + ${w} * (0.2 + ${w} * (0.14285714285714285 + ${w} * (0.1111111111111111` +
  ` + ${w} * (0.09090909090909091 + ${w} * (0.07692307692307693 + ${w} * 0.06666666666666667)))))))`;

/** log1p of `u` (a statement-free name): the series within 1/2, log(1 + u) beyond, where log is accurate. */
const log1pOf = (u: string, tag: string) => ({
  lines: [`const t_s${tag} = ${u} / (2 + ${u});`, `const t_w${tag} = t_s${tag} * t_s${tag};`],
  value: `(Math.abs(${u}) < 0.5 ? ${atanhSeries(`t_s${tag}`, `t_w${tag}`)} : Math.log(1 + ${u}))`,
});

export const LOG1P: GpuExpr = log1pOf('x', '');

/** exp(x) - 1: Taylor to x^8/8! within 1/2 (the next term is < 1.1e-8 relative), exp(x) - 1 beyond. */
const expm1Of = (x: string) =>
  `(Math.abs(${x}) < 0.5 ? ${x} * (1 + ${x} / 2 * (1 + ${x} / 3 * (1 + ${x} / 4 * (1 + ${x} / 5 * (1 + ${x} / 6 * (1 + ${x} / 7 * (1 + ${x} / 8))))))) : Math.exp(${x}) - 1)`;
export const EXPM1: GpuExpr = expm1Of('x');

/** x where x > 0, else alpha (e0) * expm1(x). */
export const ELU: GpuExpr = `(x > 0 ? x : e0 * ${expm1Of('x')})`;

/** sinh: the odd series within 1/2; beyond, e^(|x| - ln 2) - e^(-|x| - ln 2), which reaches float32's top without overflowing. */
export const SINH: GpuExpr = {
  lines: ['const t_a = Math.abs(x);', 'const t_z = x * x;'],
  value: `(t_a < 0.5 ? x * (1 + t_z / 6 * (1 + t_z / 20 * (1 + t_z / 42 * (1 + t_z / 72)))) : (x < 0 ? -1 : 1) * (Math.exp(t_a - ${LN2}) - Math.exp(-t_a - ${LN2})))`,
};

export const COSH: GpuExpr = `(Math.exp(Math.abs(x) - ${LN2}) + Math.exp(-Math.abs(x) - ${LN2}))`;

/** asinh(|x|) = log1p(|x| + x²/(1 + sqrt(1 + x²))) (no cancellation at small x); ln(2|x|) past 1e4. */
export const ASINH: GpuExpr = (() => {
  const l = log1pOf('t_u', 'u');
  return {
    lines: ['const t_a = Math.abs(x);', 'const t_u = t_a + t_a * t_a / (1 + Math.sqrt(1 + t_a * t_a));', ...l.lines],
    value: `(x < 0 ? -1 : 1) * (t_a > 10000 ? Math.log(t_a) + ${LN2} : ${l.value})`,
  };
})();

/** acosh(x) = log1p(t + sqrt(2t + t²)), t = x - 1 (accurate near 1); ln(2x) past 1e4. */
export const ACOSH: GpuExpr = (() => {
  const l = log1pOf('t_u', 'u');
  return {
    lines: ['const t_t = x - 1;', 'const t_u = t_t + Math.sqrt(2 * t_t + t_t * t_t);', ...l.lines],
    value: `(x > 10000 ? Math.log(x) + ${LN2} : ${l.value})`,
  };
})();

/** atanh: its series within 0.3; 0.5·log((1 + x)/(1 - x)) beyond (1 - x is exact near 1). */
export const ATANH: GpuExpr = {
  lines: ['const t_w = x * x;'],
  value: `(Math.abs(x) < 0.3 ? ${atanhSeries('x', 't_w')} / 2 : 0.5 * Math.log((1 + x) / (1 - x)))`,
};

/** Cephes atanf: reduced to |y| ≤ tan(π/8) by π/2 - atan(1/|x|) or π/4 + atan((|x| - 1)/(|x| + 1)). */
export const ATAN: GpuExpr = {
  lines: [
    'const t_a = Math.abs(x);',
    'const t_y = t_a > 2.414213562373095 ? -1 / t_a : (t_a > 0.41421356237309503 ? (t_a - 1) / (t_a + 1) : t_a);',
    `const t_b = t_a > 2.414213562373095 ? ${HALF_PI} : (t_a > 0.41421356237309503 ? 0.7853981633974483 : 0);`,
    'const t_z = t_y * t_y;',
    'const t_r = t_b + ((((0.0805374449538 * t_z - 0.138776856032) * t_z + 0.199777106478) * t_z - 0.333329491539) * t_z * t_y + t_y);',
  ],
  value: '(x < 0 ? -t_r : t_r)',
};

/** Cephes asinf's polynomial on t_z (= s²) and t_s: asin(s) for |s| ≤ 1/2. */
const ASIN_POLY =
  'const t_p = ((((0.042163199048 * t_z + 0.024181311049) * t_z + 0.045470025998) * t_z + 0.074953002686) * t_z + 0.16666752422) * t_z * t_s + t_s;';

/** asin: the polynomial within 1/2; beyond, π/2 - 2 asin(sqrt((1 - |x|)/2)). */
export const ASIN: GpuExpr = {
  lines: [
    'const t_a = Math.abs(x);',
    'const t_z = t_a > 0.5 ? 0.5 * (1 - t_a) : t_a * t_a;',
    'const t_s = t_a > 0.5 ? Math.sqrt(t_z) : t_a;',
    ASIN_POLY,
  ],
  value: `(x < 0 ? -1 : 1) * (t_a > 0.5 ? ${HALF_PI} - 2 * t_p : t_p)`,
};

/** acos: 2 asin(sqrt((1 - x)/2)) above 1/2, π - 2 asin(sqrt((1 + x)/2)) below -1/2, π/2 - asin(x) between. */
export const ACOS: GpuExpr = {
  lines: [
    'const t_a = Math.abs(x);',
    'const t_z = t_a > 0.5 ? 0.5 * (1 - t_a) : x * x;',
    'const t_s = t_a > 0.5 ? Math.sqrt(t_z) : x;',
    ASIN_POLY,
  ],
  value: `(x > 0.5 ? 2 * t_p : (x < -0.5 ? ${PI} - 2 * t_p : ${HALF_PI} - t_p))`,
};

/**
 * erf of `v`: within 1/2 its odd series (to v^13; the next term is < 1e-9); beyond, 1 - erfc by Numerical
 * Recipes' erfcc (fractional error < 1.2e-7). Only exp and arithmetic, so the same form runs everywhere.
 */
const erfOf = (v: string, tag: string) => ({
  lines: [
    `const t_a${tag} = Math.abs(${v});`,
    `const t_w${tag} = ${v} * ${v};`,
    `const t_t${tag} = 1 / (1 + 0.5 * t_a${tag});`,
    `const t_c${tag} = t_t${tag} * Math.exp(-t_w${tag} - 1.26551223 + t_t${tag} * (1.00002368 + t_t${tag} * (0.37409196 + t_t${tag} * (0.09678418 + t_t${tag} * (-0.18628806` +
      ` + t_t${tag} * (0.27886807 + t_t${tag} * (-1.13520398 + t_t${tag} * (1.48851587 + t_t${tag} * (-0.82215223 + t_t${tag} * 0.17087277)))))))));`,
  ],
  value:
    `(t_a${tag} < 0.5 ? ${v} * 1.1283791670955126 * (1 - t_w${tag} * (0.3333333333333333 - t_w${tag} * (0.1 - t_w${tag} * (0.023809523809523808 - t_w${tag} * (0.004629629629629629` +
    ` - t_w${tag} * (0.0007575757575757576 - t_w${tag} * 0.00010683760683760684)))))) : (${v} < 0 ? t_c${tag} - 1 : 1 - t_c${tag}))`,
});

export const ERF: GpuExpr = erfOf('x', '');

/** gelu: e0 = 1 takes the tanh approximation (tanh as 1 - 2/(e^2|u| + 1), finite for any u), else x Φ(x) through erf. */
export const GELU: GpuExpr = (() => {
  const e = erfOf('t_v', 'v');
  return {
    lines: [
      'const t_v = x * 0.7071067811865476;',
      ...e.lines,
      'const t_u = 0.7978845608028654 * (x + 0.044715 * x * x * x);',
      'const t_h = (t_u < 0 ? -1 : 1) * (1 - 2 / (Math.exp(2 * Math.abs(t_u)) + 1));',
    ],
    value: `(e0 !== 0 ? 0.5 * x * (1 + t_h) : 0.5 * x * (1 + ${e.value}))`,
  };
})();

/** hypot: the larger magnitude times sqrt(1 + ratio²), so neither square overflows; ±Infinity gives Infinity. */
export const HYPOT =
  '(Math.max(Math.abs(a), Math.abs(b)) === 0 ? 0 : Math.max(Math.abs(a), Math.abs(b)) * Math.sqrt(1 + (Math.min(Math.abs(a), Math.abs(b)) / Math.max(Math.abs(a), Math.abs(b))) * (Math.min(Math.abs(a), Math.abs(b)) / Math.max(Math.abs(a), Math.abs(b)))))';
