import { fnsOfArity, HELPERS, portableJs } from '../../ops/registry';
import { roundHalfEven, tanh32 } from '../../ops/registry/helpers';

/**
 * The real elementwise functions as JavaScript expressions over `x` (unary) or `a`, `b` (binary), for the
 * generated loops of ./loops.ts and the fused loops of runtime/compile. Each means exactly what the scalar
 * function of the same name in ./elementwise.ts (REAL_UNARY, REAL_BINARY) means; a test checks both agree
 * on every key. Helpers an expression calls are passed to the generated function as `H`.
 *
 * float32 tanh is the one place a float32 result differs from the float64 function: `Math.tanh` costs
 * 20–50 ns an element in V8 here (a call into fdlibm), so float32 uses Eigen's rational approximation
 * (generic_fast_tanh_float, as PyTorch's and TensorFlow's vectorised CPU kernels do) in float32 arithmetic
 * as Eigen computes it, so four wasm SIMD lanes compute it at once (~1.5 ns an element, against ~3 when it
 * was computed in doubles and rounded once), within 7 float32 ulps of the correctly rounded value (relative
 * 4e-7, at |x| ≈ 5.8; test/runtime/kernels.test.ts measures it).
 * float64 tanh is ops/registry/tanh64.ts's (within 1 ulp, IEEE operations only, so compiled plans run it in
 * wasm SIMD with the same bits).
 *
 * Every `Math.f` of the registry's expressions that libm.ts has runs as libm's `H.f` (portableJs): the same
 * bits in every JavaScript engine, where `Math.exp`, `Math.sin`, ... differ between Node and Chromium.
 */
const exprTable = (arity: 1 | 2) => Object.fromEntries(fnsOfArity(arity).map((e) => [e.name, portableJs(e.js)]));

/** Every unary fn's expression, from the op registry (runtime/ops/registry). */
export const UNARY_JS: Record<string, string> = exprTable(1);

/** float32 overrides of UNARY_JS and BINARY_JS (see above; tanh_grad rounds each of its operations). */
const f32Table = (arity: 1 | 2): Record<string, string> =>
  Object.fromEntries(fnsOfArity(arity).flatMap((e) => (e.jsF32 ? [[e.name, portableJs(e.jsF32)]] : [])));
export const UNARY_JS_F32 = f32Table(1);

export const BINARY_JS: Record<string, string> = exprTable(2);
export const BINARY_JS_F32 = f32Table(2);

/** where(c, a, b): c is true when nonzero and not NaN, as `c ? a : b` in JS. */
export const WHERE_JS = '(c ? a : b)';
/** clamp with its bounds as the extra scalars e0 (min) and e1 (max). */
export const CLAMP_JS = '(x < e0 ? e0 : x > e1 ? e1 : x)';

export { HELPERS, roundHalfEven, tanh32 };

/** A fn's expression for a dtype: float32's own where it has one. */
const exprFor =
  (all: Record<string, string>, f32: Record<string, string>) =>
  (fn: string, dtype: string): string | undefined =>
    dtype === 'float32' ? (f32[fn] ?? all[fn]) : all[fn];
export const unaryExpr = exprFor(UNARY_JS, UNARY_JS_F32);
export const binaryExpr = exprFor(BINARY_JS, BINARY_JS_F32);
