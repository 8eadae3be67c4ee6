import type { ElementwiseEntry, GpuExpr, KernelFn, Rule } from './types';
import { ACOS, ACOSH, ASIN, ASINH, ATAN, ATANH, COSH, ELU, ERF, EXPM1, GELU, HYPOT, LOG1P, SINH } from './gpu-forms';
import * as libm from '../../backends/js/libm';

/**
 * Every elementwise op, one entry each (README.md has the shape). The js kernels, the fused loops, the
 * gpu.js expressions, the GPU guard's domains, the wasm set, the op layer's OpDefs, the runtime methods,
 * the language builtins (and so its methods and completion), the scalar form on plain numbers, explain's
 * list and the docs' op reference all read this table; test/runtime/registry.test.ts checks each entry
 * is complete and that every formula means what its rule computes.
 *
 * Rules take the op layer's ops as `o` (this file imports no ops, so the backends can read it). Binary
 * rules give the elementwise product; the op layer sums it back to each input's broadcast shape. Rules
 * use conj() so complex gradients follow PyTorch's convention (conj is the identity on real tensors), and
 * those that reuse the answer save `out`, as JAX's JVPs reuse `ans`.
 */

const positive = (v: number) => v > 0;
const nonNegative = (v: number) => v >= 0;
const nonZero = (v: number) => v !== 0;
const integer = (v: number) => Number.isInteger(v);
const small = (v: number) => Math.abs(v) <= 8192;

/**
 * Reduces x by π/2 (Cody–Waite in three parts: each k·part is exact in f32 for |k| < 8192, which the guard
 * keeps to with |x| ≤ 8192), then evaluates Cephes' float32 sin and cos polynomials on |r| ≤ π/4 and picks
 * by quadrant: about 1 ulp on every GPU, where the builtins are allowed 2^-11 absolute error.
 */
const REDUCED = [
  'const t_k = Math.floor(x * 0.6366197723675814 + 0.5);',
  'const t_r = ((x - t_k * 1.5703125) - t_k * 0.0004837512969970703) - t_k * 7.549789954891882e-8;',
  'const t_z = t_r * t_r;',
  'const t_s = t_r + t_r * t_z * ((-0.00019515295891 * t_z + 0.0083321608736) * t_z - 0.16666654611);',
  'const t_c = 1 - 0.5 * t_z + t_z * t_z * ((0.00002443315711809948 * t_z - 0.001388731625493765) * t_z + 0.04166664568298827);',
  'const t_q = t_k - 4 * Math.floor(t_k * 0.25);',
];
const reduced = (value: string): GpuExpr => ({ lines: REDUCED, value });

type Partial1 = Omit<ElementwiseEntry, 'family' | 'arity' | 'inputs' | 'gradName' | 'rules' | 'formulas' | 'name'>;

/** A unary entry; `gradName` defaults to PyTorch's CamelBackward0. */
function unary(
  name: string,
  rule: Rule | 'zero',
  formula: string,
  rest: Partial1 & { gradName?: string },
): ElementwiseEntry {
  const camel = name.replace(/(^|_)(\w)/g, (_m, _u, c: string) => c.toUpperCase());
  return {
    name,
    family: 'elementwise',
    arity: 1,
    inputs: ['x'],
    surface: 'builtin',
    gradName: `${camel}Backward0`,
    rules: rule === 'zero' ? [(g, _c, o) => o.mul(g, 0)] : [rule],
    zeroGrad: rule === 'zero',
    formulas: [rule === 'zero' ? `0 (${name} is flat almost everywhere)` : formula],
    ...rest,
  };
}

function binary(
  name: string,
  rules: [Rule, Rule],
  formulas: [string, string],
  rest: Partial1 & { gradName?: string },
): ElementwiseEntry {
  const camel = name.replace(/(^|_)(\w)/g, (_m, _u, c: string) => c.toUpperCase());
  return {
    name,
    family: 'elementwise',
    arity: 2,
    inputs: ['x', 'y'],
    surface: 'builtin',
    gradName: `${camel}Backward0`,
    rules,
    formulas,
    ...rest,
  };
}

const flat = (name: string, js: string, doc: string, extra: Partial<Partial1> = {}) =>
  unary(name, 'zero', '', { js, doc, ...extra });

/** max/min's split: 1 where this input wins, 1/2 at a tie (PyTorch's rule), as a tensor. */
const winShare = (
  o: Parameters<Rule>[2],
  mine: Parameters<Rule>[1]['x'],
  other: Parameters<Rule>[1]['x'],
  wins: 'gt' | 'lt',
) => o.add(o[wins](mine, other), o.mul(o.eq(mine, other), 0.5));

export const ELEMENTWISE: readonly ElementwiseEntry[] = [
  // ---- arithmetic (the operators + - * / ^ and their methods) ----
  binary('add', [(g) => g, (g) => g], ['{g}', '{g}'], {
    js: 'a + b',
    doc: 'x + y, elementwise, broadcasting.',
    surface: 'operator',
    exactBits: true,
    wasm: true,
    complex: (ar, ai, br, bi) => [ar + br, ai + bi],
  }),
  binary('sub', [(g) => g, (g, _c, o) => o.neg(g)], ['{g}', '-{g}'], {
    js: 'a - b',
    doc: 'x - y, elementwise, broadcasting.',
    surface: 'operator',
    exactBits: true,
    wasm: true,
    complex: (ar, ai, br, bi) => [ar - br, ai - bi],
  }),
  binary(
    'mul',
    [(g, c, o) => o.mul(g, o.conj(c.y)), (g, c, o) => o.mul(g, o.conj(c.x))],
    ['{g} * {x1}', '{g} * {x0}'],
    {
      js: 'a * b',
      doc: 'x * y, elementwise, broadcasting.',
      surface: 'operator',
      exactBits: true,
      wasm: true,
      complex: (ar, ai, br, bi) => [ar * br - ai * bi, ar * bi + ai * br],
    },
  ),
  binary(
    'div',
    [(g, c, o) => o.div(g, o.conj(c.y)), (g, c, o) => o.neg(o.mul(g, o.conj(o.div(o.div(c.x, c.y), c.y))))],
    ['{g} / {x1}', '-{g} * {x0} / {x1}^2'],
    {
      js: 'a / b',
      doc: 'x / y, elementwise, broadcasting.',
      surface: 'operator',
      exactBits: true,
      wasm: true,
      gpuDomain: ([, b], every) => every(b, nonZero),
      complex: (ar, ai, br, bi) => {
        const d = br * br + bi * bi;
        return [(ar * br + ai * bi) / d, (ai * br - ar * bi) / d];
      },
    },
  ),
  binary(
    'pow',
    [
      (g, c, o) => o.mul(g, o.mul(c.y, o.pow(c.x, o.sub(c.y, 1)))),
      // PyTorch masks the exponent's gradient where the base is 0 (log 0 would give NaN there)
      (g, c, o) => o.mul(g, o.where(o.eq(c.x, 0), 0, o.mul(c.out, o.log(c.x)))),
    ],
    ['{g} * {x1} * {x0}^({x1} - 1)', '{g} * where({x0} == 0, 0, {out} * log({x0}))'],
    {
      js: 'Math.pow(a, b)',
      doc: 'x to the power y, elementwise (also x^y and x**y); a number exponent takes a cheaper rule.',
      surface: 'custom',
      gradName: 'PowBackward1',
      mathFn: true,
      saveOut: true,
      // GLSL and WGSL leave pow(x, y) undefined for x < 0: a negative base with an integer exponent takes |a|^b
      // with the sign of an odd exponent; the guard declines negative bases with a fractional exponent
      gpuShader:
        '(b === 0 ? 1 : (a < 0 ? (b - 2 * Math.floor(b / 2) === 1 ? -1 : 1) * Math.pow(-a, b) : Math.pow(a, b)))',
      gpuDomain: ([a, b], every) =>
        every(a, positive) ||
        (every(b, integer) && (every(a, nonZero) || every(b, positive))) ||
        (every(a, nonNegative) && every(b, positive)),
    },
  ),
  binary(
    'maximum',
    [(g, c, o) => o.mul(g, winShare(o, c.x, c.y, 'gt')), (g, c, o) => o.mul(g, winShare(o, c.y, c.x, 'gt'))],
    ['{g} * (({x0} > {x1}) + ({x0} == {x1}) / 2)', '{g} * (({x1} > {x0}) + ({x0} == {x1}) / 2)'],
    {
      js: 'Math.max(a, b)',
      doc: 'The larger of x and y, elementwise; a tie splits the gradient evenly (as PyTorch).',
      exactBits: true,
      wasm: true,
    },
  ),
  binary(
    'minimum',
    [(g, c, o) => o.mul(g, winShare(o, c.x, c.y, 'lt')), (g, c, o) => o.mul(g, winShare(o, c.y, c.x, 'lt'))],
    ['{g} * (({x0} < {x1}) + ({x0} == {x1}) / 2)', '{g} * (({x1} < {x0}) + ({x0} == {x1}) / 2)'],
    {
      js: 'Math.min(a, b)',
      doc: 'The smaller of x and y, elementwise; a tie splits the gradient evenly (as PyTorch).',
      exactBits: true,
      wasm: true,
    },
  ),
  binary(
    'atan2',
    [
      (g, c, o) => o.div(o.mul(g, c.y), o.add(o.mul(c.x, c.x), o.mul(c.y, c.y))),
      (g, c, o) => o.neg(o.div(o.mul(g, c.x), o.add(o.mul(c.x, c.x), o.mul(c.y, c.y)))),
    ],
    ['{g} * {x1} / ({x0}^2 + {x1}^2)', '-{g} * {x0} / ({x0}^2 + {x1}^2)'],
    {
      js: 'Math.atan2(a, b)',
      doc: 'atan2(x, y): the angle of the point with coordinates (y, x), in (-π, π], as torch.atan2(input, other).',
      mathFn: true,
      // Vulkan allows GPU atan 4096 ulp, and GPUs do not keep the sign of zero that atan2(±0, -0) = ±π needs
      gpuDomain: () => false,
    },
  ),
  binary(
    'hypot',
    [(g, c, o) => o.mul(g, o.div(c.x, c.out)), (g, c, o) => o.mul(g, o.div(c.y, c.out))],
    ['{g} * {x0} / {out}', '{g} * {x1} / {out}'],
    {
      js: 'Math.hypot(a, b)',
      doc: 'sqrt(x² + y²) without overflow, elementwise.',
      saveOut: true,
      gpu: HYPOT,
    },
  ),
  binary(
    'fmod',
    [(g) => g, (g, c, o) => o.neg(o.mul(g, o.trunc(o.div(c.x, c.y))))],
    ['{g}', '-{g} * trunc({x0} / {x1})'],
    {
      // no gpu.js form: gpu.js's % is a - trunc(a / b) * b in float32, off by b where a / b rounds across an integer
      js: 'a % b',
      doc: 'The remainder of x / y with the sign of x (C fmod, torch.fmod).',
      gradName: 'FmodBackward1',
      gpu: false,
    },
  ),

  // ---- exponentials and logarithms ----
  unary('neg', (g, _c, o) => o.neg(g), '-{g}', {
    js: '-x',
    doc: 'Negation, -x (the unary minus operator).',
    surface: 'operator',
    exactBits: true,
    wasm: true,
    complex: (r, i) => [-r, -i],
  }),
  unary('exp', (g, c, o) => o.mul(g, o.conj(c.out)), '{g} * {out}', {
    js: 'Math.exp(x)',
    doc: 'e to the power x, elementwise. d/dx exp(x) = exp(x).',
    saveOut: true,
    mathFn: true,
    complex: (r, i) => {
      const m = libm.exp(r);
      return [m * libm.cos(i), m * libm.sin(i)];
    },
  }),
  unary('log', (g, c, o) => o.div(g, o.conj(c.x)), '{g} / {x0}', {
    js: 'Math.log(x)',
    doc: 'Natural logarithm, elementwise. d/dx log(x) = 1/x.',
    mathFn: true,
    gpuDomain: ([x], every) => every(x, positive),
    complex: (r, i) => [libm.log(Math.hypot(r, i)), libm.atan2(i, r)],
  }),
  unary('log1p', (g, c, o) => o.div(g, o.add(c.x, 1)), '{g} / (1 + {x0})', {
    js: 'Math.log1p(x)',
    doc: 'log(1 + x), accurate for small x.',
    gradName: 'Log1PBackward0',
    mathFn: true,
    gpuShader: LOG1P,
    gpuDomain: ([x], every) => every(x, (v) => v > -1),
  }),
  unary('expm1', (g, c, o) => o.mul(g, o.add(c.out, 1)), '{g} * ({out} + 1)', {
    js: 'Math.expm1(x)',
    doc: 'exp(x) - 1, accurate for small x.',
    saveOut: true,
    mathFn: true,
    gpuShader: EXPM1,
  }),
  unary('sqrt', (g, c, o) => o.div(g, o.mul(c.out, 2)), '{g} / (2 * {out})', {
    js: 'Math.sqrt(x)',
    doc: 'Square root, elementwise. d/dx sqrt(x) = 1/(2 sqrt(x)).',
    saveOut: true,
    exactBits: true,
    wasm: true,
    gpuDomain: ([x], every) => every(x, nonNegative),
  }),
  unary('rsqrt', (g, c, o) => o.mul(g, o.mul(o.mul(c.out, o.mul(c.out, c.out)), -0.5)), '-{g} * {out}^3 / 2', {
    js: '1 / Math.sqrt(x)',
    doc: '1 / sqrt(x), elementwise.',
    saveOut: true,
    gpuDomain: ([x], every) => every(x, positive),
  }),
  unary('reciprocal', (g, c, o) => o.neg(o.mul(g, o.mul(c.out, c.out))), '-{g} * {out}^2', {
    js: '1 / x',
    doc: '1 / x, elementwise.',
    saveOut: true,
    gpuDomain: ([x], every) => every(x, nonZero),
  }),

  // ---- trigonometric and hyperbolic ----
  unary('sin', (g, c, o) => o.mul(g, o.cos(c.x)), '{g} * cos({x0})', {
    js: 'Math.sin(x)',
    doc: 'Sine, elementwise.',
    mathFn: true,
    gpuShader: reduced('(t_q === 0 ? t_s : (t_q === 1 ? t_c : (t_q === 2 ? -t_s : -t_c)))'),
    gpuDomain: ([x], every) => every(x, small),
  }),
  unary('cos', (g, c, o) => o.neg(o.mul(g, o.sin(c.x))), '-{g} * sin({x0})', {
    js: 'Math.cos(x)',
    doc: 'Cosine, elementwise.',
    mathFn: true,
    gpuShader: reduced('(t_q === 0 ? t_c : (t_q === 1 ? -t_s : (t_q === 2 ? -t_c : t_s)))'),
    gpuDomain: ([x], every) => every(x, small),
  }),
  unary('tan', (g, c, o) => o.mul(g, o.add(o.mul(c.out, c.out), 1)), '{g} * (1 + {out}^2)', {
    js: 'Math.tan(x)',
    doc: 'Tangent, elementwise.',
    saveOut: true,
    mathFn: true,
    gpuShader: reduced('(t_q === 0 || t_q === 2 ? t_s / t_c : -t_c / t_s)'),
    gpuDomain: ([x], every) => every(x, small),
  }),
  unary('asin', (g, c, o) => o.div(g, o.sqrt(o.sub(1, o.mul(c.x, c.x)))), '{g} / sqrt(1 - {x0}^2)', {
    js: 'Math.asin(x)',
    doc: 'Inverse sine, elementwise (NaN outside [-1, 1]).',
    mathFn: true,
    gpuShader: ASIN,
    gpuDomain: ([x], every) => every(x, (v) => Math.abs(v) <= 1),
  }),
  unary('acos', (g, c, o) => o.neg(o.div(g, o.sqrt(o.sub(1, o.mul(c.x, c.x))))), '-{g} / sqrt(1 - {x0}^2)', {
    js: 'Math.acos(x)',
    doc: 'Inverse cosine, elementwise (NaN outside [-1, 1]).',
    mathFn: true,
    gpuShader: ACOS,
    gpuDomain: ([x], every) => every(x, (v) => Math.abs(v) <= 1),
  }),
  unary('atan', (g, c, o) => o.div(g, o.add(o.mul(c.x, c.x), 1)), '{g} / (1 + {x0}^2)', {
    js: 'Math.atan(x)',
    doc: 'Inverse tangent, elementwise.',
    mathFn: true,
    gpuShader: ATAN,
  }),
  unary('sinh', (g, c, o) => o.mul(g, o.cosh(c.x)), '{g} * cosh({x0})', {
    js: 'Math.sinh(x)',
    doc: 'Hyperbolic sine, elementwise.',
    mathFn: true,
    gpuShader: SINH,
  }),
  unary('cosh', (g, c, o) => o.mul(g, o.sinh(c.x)), '{g} * sinh({x0})', {
    js: 'Math.cosh(x)',
    doc: 'Hyperbolic cosine, elementwise.',
    mathFn: true,
    gpuShader: COSH,
  }),
  unary('tanh', (g, c, o) => o.tanhBackward(g, c.out), '{g} * (1 - {out}^2)', {
    js: 'H.tanh64(x)',
    jsF32: 'H.tanh32(x)',
    gpu: 'Math.tanh(x)', // gpu.js's own (it cannot call H); its cpu modes have always used it
    doc: 'Hyperbolic tangent, elementwise. Its rule reuses the output: d tanh = 1 - tanh².',
    saveOut: true,
    mathFn: true,
    wasm: true,
    // GPU tanh is (e^2x − 1)/(e^2x + 1), inaccurate near 0 and NaN past |x| ≈ 44 on some drivers
    gpuShader:
      '(Math.abs(x) < 0.0625 ? x * (1 - x * x * (0.3333333333333333 - x * x * 0.13333333333333333))' +
      ' : (x > 0 ? 1 : -1) * (1 - 2 / (Math.exp(2 * Math.abs(x)) + 1)))',
  }),
  unary('asinh', (g, c, o) => o.div(g, o.sqrt(o.add(o.mul(c.x, c.x), 1))), '{g} / sqrt({x0}^2 + 1)', {
    js: 'Math.asinh(x)',
    doc: 'Inverse hyperbolic sine, elementwise.',
    mathFn: true,
    gpuShader: ASINH,
  }),
  unary('acosh', (g, c, o) => o.div(g, o.sqrt(o.sub(o.mul(c.x, c.x), 1))), '{g} / sqrt({x0}^2 - 1)', {
    js: 'Math.acosh(x)',
    doc: 'Inverse hyperbolic cosine, elementwise (NaN below 1).',
    mathFn: true,
    gpuShader: ACOSH,
    gpuDomain: ([x], every) => every(x, (v) => v >= 1),
  }),
  unary('atanh', (g, c, o) => o.div(g, o.sub(1, o.mul(c.x, c.x))), '{g} / (1 - {x0}^2)', {
    js: 'Math.atanh(x)',
    doc: 'Inverse hyperbolic tangent, elementwise (NaN outside [-1, 1]).',
    mathFn: true,
    gpuShader: ATANH,
    gpuDomain: ([x], every) => every(x, (v) => Math.abs(v) < 1),
  }),
  unary(
    'erf',
    (g, c, o) => o.mul(g, o.mul(o.exp(o.neg(o.mul(c.x, c.x))), 1.1283791670955126)),
    '{g} * 1.1283791670955126 * exp(-{x0}^2)',
    {
      js: 'H.erf(x)',
      doc: 'The error function 2/√π ∫₀ˣ exp(-t²) dt, elementwise.',
      mathFn: true,
      gpu: ERF,
    },
  ),

  // ---- activations ----
  unary('sigmoid', (g, c, o) => o.mul(g, o.mul(c.out, o.sub(1, c.out))), '{g} * {out} * (1 - {out})', {
    // the two branches keep exp's argument ≤ 0, so no input overflows
    js: '(x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)))',
    doc: 'The logistic function 1/(1+exp(-x)), computed stably, elementwise.',
    saveOut: true,
    mathFn: true,
  }),
  unary('relu', (g, c, o) => o.mul(g, o.gt(c.x, 0)), '{g} * ({x0} > 0)', {
    js: '(x > 0 ? x : 0)',
    doc: 'max(x, 0), elementwise; its gradient is 1 where x > 0, else 0.',
    exactBits: true,
    wasm: true,
  }),
  unary(
    'leaky_relu',
    (g, c, o) => o.where(o.gt(c.x, 0), g, o.mul(g, c.attrs.negative_slope)),
    '{g} * where({x0} > 0, 1, {negative_slope})',
    {
      js: '(x > 0 ? x : e0 * x)',
      doc: 'x where x > 0, else negative_slope * x.',
      params: [{ name: 'negative_slope', default: 0.01 }],
    },
  ),
  unary(
    'elu',
    (g, c, o) => o.where(o.gt(c.x, 0), g, o.mul(g, o.add(c.out, c.attrs.alpha))),
    '{g} * where({x0} > 0, 1, {out} + {alpha})',
    {
      js: '(x > 0 ? x : e0 * Math.expm1(x))',
      doc: 'x where x > 0, else alpha * (exp(x) - 1).',
      params: [{ name: 'alpha', default: 1 }],
      saveOut: true,
      mathFn: true,
      gpuShader: ELU,
    },
  ),
  unary(
    'gelu',
    (g, c, o) => {
      if (c.attrs.approximate === 1) {
        // d/dx of x (1 + tanh(u)) / 2, u = √(2/π) (x + 0.044715 x³)
        const t = o.tanh(o.mul(o.add(c.x, o.mul(o.mul(o.mul(c.x, c.x), c.x), 0.044715)), 0.7978845608028654));
        const du = o.mul(o.add(o.mul(o.mul(c.x, c.x), 0.134145), 1), 0.7978845608028654);
        return o.mul(g, o.add(o.mul(o.add(t, 1), 0.5), o.mul(o.mul(o.mul(c.x, 0.5), o.sub(1, o.mul(t, t))), du)));
      }
      return o.mul(
        g,
        o.add(
          o.mul(o.add(o.erf(o.mul(c.x, Math.SQRT1_2)), 1), 0.5),
          o.mul(c.x, o.mul(o.exp(o.mul(o.mul(c.x, c.x), -0.5)), 0.3989422804014327)),
        ),
      );
    },
    '{g} * where({approximate} == 1, (1 + tanh(0.7978845608028654 * ({x0} + 0.044715 * {x0}^3))) / 2 + {x0} / 2 * (1 - tanh(0.7978845608028654 * ({x0} + 0.044715 * {x0}^3))^2) * 0.7978845608028654 * (1 + 0.134145 * {x0}^2), ' +
      '(1 + erf({x0} * 0.7071067811865476)) / 2 + {x0} * exp(-{x0}^2 / 2) * 0.3989422804014327)',
    {
      js: '(e0 ? 0.5 * x * (1 + Math.tanh(0.7978845608028654 * (x + 0.044715 * x * x * x))) : 0.5 * x * (1 + H.erf(x * 0.7071067811865476)))',
      doc: 'x Φ(x), Φ the standard normal CDF; approximate="tanh" takes PyTorch\'s tanh approximation.',
      params: [{ name: 'approximate', default: 'none', choices: ['none', 'tanh'] }],
      mathFn: true,
      gpu: GELU,
    },
  ),
  unary(
    'silu',
    (g, c, o) => {
      const s = o.sigmoid(c.x);
      return o.mul(g, o.mul(s, o.add(o.mul(c.x, o.sub(1, s)), 1)));
    },
    '{g} * sigmoid({x0}) * (1 + {x0} * (1 - sigmoid({x0})))',
    {
      js: '(x >= 0 ? x / (1 + Math.exp(-x)) : x * Math.exp(x) / (1 + Math.exp(x)))',
      doc: 'x * sigmoid(x) (swish), computed stably.',
      mathFn: true,
    },
  ),
  unary('softplus', (g, c, o) => o.mul(g, o.sigmoid(c.x)), '{g} * sigmoid({x0})', {
    js: 'Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)))',
    doc: 'log(1 + exp(x)), computed stably; a smooth relu.',
    mathFn: true,
    // log1p(e) as 2·atanh(e/(2 + e)) by its series: GPU log1p is log(1 + e), which loses a small e
    gpuShader: {
      lines: ['const t_e = Math.exp(-Math.abs(x));', 'const t_s = t_e / (2 + t_e);', 'const t_w = t_s * t_s;'],
      value:
        'Math.max(x, 0) + 2 * t_s * (1 + t_w * (0.3333333333333333 + t_w * (0.2 + t_w * (0.14285714285714285 + t_w * (0.1111111111111111' +
        ' + t_w * (0.09090909090909091 + t_w * (0.07692307692307693 + t_w * 0.06666666666666667)))))))',
    },
  }),

  // ---- magnitude and rounding ----
  unary('abs', (g, c, o) => o.absGrad(g, c.x), '{g} * sign({x0})', {
    js: 'Math.abs(x)',
    doc: 'Absolute value; for complex z its modulus |z|.',
    exactBits: true,
    wasm: true,
    complex: (r, i) => Math.hypot(r, i),
    realOut: true,
  }),
  // NaN's sign is 0, as torch.sign's (neither > 0 nor < 0)
  flat(
    'sign',
    '(x > 0 ? 1 : x < 0 ? -1 : 0)',
    'The sign (-1, 0, 1; 0 for NaN, as PyTorch). Flat almost everywhere, so its gradient is 0.',
    {
      gpu: '(x > 0 ? 1 : (x < 0 ? -1 : 0))',
    },
  ),
  flat(
    'round',
    'H.roundHalfEven(x)',
    'Rounds to the nearest integer, halves to even (as PyTorch). Its gradient is 0: use a straight-through @custom_grad to train through it.',
    {
      // gpu.js's Math.round is JS's half-up; |x| ≥ 2^23 is already an integer in float32
      gpu:
        '(Math.abs(x) >= 8388608 ? x : (Math.floor(x + 0.5) - x === 0.5 && Math.floor(x + 0.5) - 2 * Math.floor((x + 0.5) / 2) !== 0' +
        ' ? Math.floor(x + 0.5) - 1 : Math.floor(x + 0.5)))',
    },
  ),
  flat('floor', 'Math.floor(x)', 'Rounds down. Its gradient is 0.'),
  // floor is exact on every gpu.js mode; ceil and trunc are written with it
  flat('ceil', 'Math.ceil(x)', 'Rounds up. Its gradient is 0.', { gpu: '-Math.floor(-x)' }),
  flat('trunc', 'Math.trunc(x)', 'Rounds toward zero. Its gradient is 0.', {
    gpu: '(x < 0 ? -Math.floor(-x) : Math.floor(x))',
  }),
];

/**
 * Kernel functions that are no op of the language's own: masks and comparisons (bool results), and tanh's
 * backward (runtime/ops/tanh-backward.ts).
 */
export const KERNEL_FNS: readonly KernelFn[] = [
  // g · (1 − y²) in one pass; float32 rounds after each operation, as the three ops it replaces did
  {
    name: 'tanh_grad',
    arity: 2,
    js: 'a * (1 - b * b)',
    jsF32: 'a * Math.fround(1 - Math.fround(b * b))',
    wasm: true,
  },
  // −2 · (a·b): tanh_backward's second derivative (runtime/ops/tanh-backward.ts); doubling is exact, so the
  // product is the one rounding, as in the two ops it replaces
  { name: 'mul_neg2', arity: 2, js: '(a * b) * -2', jsF32: 'Math.fround(a * b) * -2', wasm: true },
  { name: 'step', arity: 1, js: '(x > 0 ? 1 : 0)' },
  // x - x is 0 for every finite x and NaN for NaN and ±Infinity
  {
    name: 'isfinite',
    arity: 1,
    js: '(Number.isFinite(x) ? 1 : 0)',
    gpu: '(x - x === 0 ? 1 : 0)',
    complex: (r, i) => (Number.isFinite(r) && Number.isFinite(i) ? 1 : 0),
  },
  // GLSL/WGSL have no truthiness: "x is true" is `x !== 0 && x === x`
  { name: 'not', arity: 1, js: '(x ? 0 : 1)', gpu: '(x === 0 || x !== x ? 1 : 0)' },
  {
    name: 'eq',
    arity: 2,
    js: '(a === b ? 1 : 0)',
    exactBits: true,
    bool: true,
    complex: (ar, ai, br, bi) => (ar === br && ai === bi ? 1 : 0),
  },
  {
    name: 'ne',
    arity: 2,
    js: '(a !== b ? 1 : 0)',
    exactBits: true,
    bool: true,
    complex: (ar, ai, br, bi) => (ar !== br || ai !== bi ? 1 : 0),
  },
  { name: 'lt', arity: 2, js: '(a < b ? 1 : 0)', exactBits: true, bool: true },
  { name: 'le', arity: 2, js: '(a <= b ? 1 : 0)', exactBits: true, bool: true },
  { name: 'gt', arity: 2, js: '(a > b ? 1 : 0)', exactBits: true, bool: true },
  { name: 'ge', arity: 2, js: '(a >= b ? 1 : 0)', exactBits: true, bool: true },
  {
    name: 'and',
    arity: 2,
    js: '(a && b ? 1 : 0)',
    gpu: '(a !== 0 && a === a && b !== 0 && b === b ? 1 : 0)',
    bool: true,
  },
  {
    name: 'or',
    arity: 2,
    js: '(a || b ? 1 : 0)',
    gpu: '((a !== 0 && a === a) || (b !== 0 && b === b) ? 1 : 0)',
    bool: true,
  },
];
