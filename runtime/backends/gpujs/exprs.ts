import { fnsOfArity, type GpuExpr } from '../../ops/registry';

/** The gpu.js form of each fn that has one (registry `gpu`: an expression or statements; else its js expression). */
function gpujsTable(arity: 1 | 2): Record<string, GpuExpr> {
  return Object.fromEntries(fnsOfArity(arity).flatMap((e) => (e.gpu === false ? [] : [[e.name, e.gpu ?? e.js]])));
}

function shaderTable(arity: 1 | 2, base: Record<string, GpuExpr>): Record<string, GpuExpr> {
  return {
    ...base,
    ...Object.fromEntries(
      fnsOfArity(arity).flatMap((e) => (e.gpuShader && e.name in base ? [[e.name, e.gpuShader]] : [])),
    ),
  };
}

/**
 * The elementwise functions as gpu.js kernel expressions, one per registry fn that has a gpu.js form (a fn
 * with `gpu: false` has none, and policy.ts hands it to js); same names and results as the js kernels
 * (test/backends/gpujs.test.ts checks the values). gpu.js transpiles a JavaScript subset, so each is written to mean what the js function means
 * on every input, NaN and ±Infinity included:
 * - truthiness (`not`, `and`, `or`, `where`'s condition): JS treats NaN as false, so "x is true" is
 *   `x !== 0 && x === x`;
 * - `sign` of NaN is 0 in the js table (neither > 0 nor < 0), not Math.sign's NaN;
 * - `round` is half-to-even like torch.round; gpu.js's Math.round is JS's half-up. |x| ≥ 2^23 is already an
 *   integer in float32, and skipping it keeps webasm's f32 `x + 0.5` from rounding.
 */
export const UNARY_EXPR: Record<string, GpuExpr> = gpujsTable(1);

/** The js kernels' expressions, except that GLSL/WGSL have no truthiness: and/or spell out "nonzero, not NaN". */
export const BINARY_EXPR: Record<string, string> = gpujsTable(2) as Record<string, string>;

/** where(c, a, b) reads c with the same truthiness as the js kernel's `C[i] ? A[i] : B[i]`. */
export const WHERE_EXPR = '(c !== 0 && c === c ? a : b)';

/** clamp with bounds passed as a 2-element array, so one kernel serves every (min, max) pair. */
export const CLAMP_EXPR = '(x < lo ? lo : (x > hi ? hi : x))';

/** A GPU form (registry type): statements' names start with `t_`, clear of the planner's `i`, `c…`, `in…`. */
export type { GpuExpr };

/**
 * What the GPU modes (webgl2, webgpu) compute instead (the registry's `gpuShader`), where the shader builtin
 * differs from the js function on the inputs the guard (guard.ts) lets through, or falls short of float32
 * accuracy. Vulkan's precision table (which WebGPU and ANGLE-on-Vulkan inherit, and SwiftShader implements)
 * allows sin/cos 2^-11 absolute error, atan 4096 ulp, log 2^-21 absolute near 1, exp 3 + 2|x| ulp, division
 * 2.5 ulp; + − × are exact-rounded. The registry's comments say why each form is what it is.
 */
export const GPU_UNARY_EXPR: Record<string, GpuExpr> = shaderTable(1, UNARY_EXPR);
export const GPU_BINARY_EXPR: Record<string, string> = shaderTable(2, BINARY_EXPR) as Record<string, string>;
