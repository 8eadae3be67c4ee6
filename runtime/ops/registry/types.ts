import type { Tensor } from '../../tensor';
import type { View } from '../../storage';
import type { RuleOps } from '../rule-ops';

/**
 * The shapes of registry entries (README.md in this folder). Every family is a table of entries; the
 * builtin, the method, completion, the docs' op reference and the explain formulas derive from them.
 * Type-only imports: the tables are data that the backends and the op layer both read, so they must not
 * import the ops at run time (the op layer hands its ops to a rule as `o`).
 */

/**
 * How the builtin converts an argument, where the default's kind is not precise enough (index lists, axis
 * lists, ints, operand lists): the indexing and linalg families declare one on every param.
 */
export type ParamKind =
  | 'tensor' // a tensor (a number or nested list is made into one)
  | 'tensors' // a list of tensors (einsum's operands, given as the rest of the arguments or as one list)
  | 'int'
  | 'int?' // an int or none
  | 'ints' // an int or a list of ints
  | 'ints?' // an int, a list of ints, or none
  | 'index' // integer indices: a tensor or a (nested) list of ints
  | 'number'
  | 'bool'
  | 'string'
  | 'equation'; // einsum's first argument: the equation string, or the first operand of the sublist form

/** A parameter after the tensor inputs, with PyTorch's name and default. */
export interface ParamDecl {
  name: string;
  /** Absent: a required positional argument (then `kind` says how to convert it). */
  default?: number | string | boolean | null;
  /** Allowed values of a string parameter (checked with a did-you-mean). */
  choices?: readonly string[];
  /** How the builtin converts the argument; absent: by the default's kind (numbers, axis, booleans, choices). */
  kind?: ParamKind;
  /** Collects the remaining positional arguments (einsum's operands). */
  rest?: boolean;
}

/** The fields every family shares: what a user sees. */
export interface OpEntry {
  name: string;
  /** 'elementwise', 'reduction', 'nn', 'indexing', 'linalg', ... */
  family: string;
  /** One line for docs, inspect and completion. */
  doc: string;
  /** Names of the tensor (or number) inputs, then the keyword parameters with defaults. */
  inputs: readonly string[];
  params?: readonly ParamDecl[];
  /** The backward formula per input as text (explain prints it); a test checks it against the rule. */
  formulas?: readonly string[];
  /**
   * How the language reaches it: 'builtin' (a builtin, and so a method when its first input is a tensor),
   * 'operator' (only through an operator such as + or the runtime method), or 'custom' (a builtin written by
   * hand in compiler/builtins, e.g. pow's exponent rules).
   */
  surface?: 'builtin' | 'operator' | 'custom';
  /** PyTorch has the tensor method: runtime/op-methods.ts adds it to Tensor in camelCase (`x.indexSelect`). */
  method?: boolean;
}

/**
 * An entry of a family other than elementwise: `forward(...inputs, kw)` gets the tensor inputs and an object
 * of the params, converted by their kinds; it returns a tensor, or several (sort's values and indices).
 */
export interface ForwardEntry extends OpEntry {
  forward: (...inputsThenKw: any[]) => Tensor | Tensor[];
}

/** What an elementwise rule sees: the saved inputs and output and the op's parameters. */
export interface RuleCtx {
  x: Tensor;
  y: Tensor;
  out: Tensor;
  attrs: Readonly<Record<string, number>>;
}

/** A rule for one input: the elementwise vector-Jacobian product, in differentiable ops `o`. */
export type Rule = (g: Tensor, c: RuleCtx, o: RuleOps) => Tensor;

/** A GPU form: an expression, or statements (names start `t_`) and the expression they feed. */
export type GpuExpr = string | { lines: string[]; value: string };

/** Whether the GPU builtin is defined on these (finite, normal) inputs; `every` scans one operand. */
export type GpuDomain = (inputs: readonly View[], every: (v: View, ok: (x: number) => boolean) => boolean) => boolean;

export type ComplexFn = (...reIm: number[]) => [number, number] | number;

/** How a kernel is computed on each backend: shared by differentiable elementwise ops and plain kernel functions. */
export interface KernelForms {
  /** The gpu.js form where it differs from `js`; false: no gpu.js form (gpu.js backends hand it to js). */
  gpu?: GpuExpr | false;
  /** The GPU shader form where it differs from the gpu.js CPU modes' (webgl2, webgpu). */
  gpuShader?: GpuExpr;
  /** Inputs where the GPU builtin is defined (the guard declines the rest). */
  gpuDomain?: GpuDomain;
  /** The expression calls a JS Math function per element (gpu.js cost model, policy.ts). */
  mathFn?: boolean;
  /** cpu/webasm give the js kernel's bits exactly (fusion may take it over from them). */
  exactBits?: boolean;
  /** backends/js/plan/wasm.ts has a SIMD form (that file checks it covers exactly these). */
  wasm?: boolean;
  /** The complex kernel, on (re, im) pairs; absent: the op rejects complex tensors. */
  complex?: ComplexFn;
}

export interface ElementwiseEntry extends OpEntry, KernelForms {
  family: 'elementwise';
  arity: 1 | 2;
  /** PyTorch's grad_fn name, e.g. TanhBackward0. */
  gradName: string;
  /**
   * The forward as a JavaScript expression over `x` (unary) or `a`, `b` (binary), parameters as `e0`, `e1`,
   * helpers as `H.name`. The js loops, the fused loops, gpu.js (unless `gpu` says otherwise) and the scalar
   * form for plain numbers all run this expression.
   */
  js: string;
  /** A float32-only expression (tanh's rational approximation). */
  jsF32?: string;
  /** The result is real for a complex input (abs). */
  realOut?: boolean;
  /** One rule per input; absent with zeroGrad: flat almost everywhere (round, sign). */
  rules: readonly Rule[];
  zeroGrad?: boolean;
  /** The rules reuse the output (saved after its node exists, so higher orders see it). */
  saveOut?: boolean;
}

/** A kernel function that is no differentiable op of its own (comparisons, masks). */
export interface KernelFn extends KernelForms {
  name: string;
  arity: 1 | 2;
  js: string;
  /** A float32-only expression (tanh_grad's, rounded after each operation as f32 arithmetic is). */
  jsF32?: string;
  bool?: boolean;
}
