import { Tensor } from '../../runtime';
import { FN_INFO, typeName, type NablaFunction, type Value } from '../values';

/**
 * Which calls a loop trace may contain: those a replay repeats exactly. Kernels are replayed; optimizer steps
 * and zero_grad are replayed as effects (runtime/compile); everything else with an effect outside tensors
 * (printing, appending to a list, plotting, building a model or optimizer, a builtin added later that this
 * list does not know) is refused, so the statement that calls it runs eagerly in every iteration instead.
 * An allowlist, not a denylist: an unknown builtin costs speed, never a lost side effect.
 */
const PURE_GROUPS = new Set(['math', 'reductions', 'shape', 'linalg', 'complex']);
const PURE_BUILTINS = new Set([
  'tensor',
  'zeros',
  'ones',
  'zeros_like',
  'ones_like',
  'full',
  'full_like',
  'eye',
  'arange',
  'linspace',
  'grad',
  'backward',
  'detach',
  'jacobian',
  'hessian',
  'vjp',
  'jvp',
  'is_grad_enabled',
  'range',
  'len',
  'str',
  'float',
  'int',
  'rand',
  'randn',
  'zero_grad',
]);
const TENSOR_METHODS = new Set(['item', 'tolist', 'backward', 'zero_', 'numel', 'dim', 'size']);
const OPTIMIZER_METHODS = new Set(['step', 'zero_grad']);

export type BuiltinInfo = (fn: Value) => { name: string; group: string } | null;

/** Why a replay would not repeat this call, or null when it would. */
export function callRefusal(fn: Value, builtin: BuiltinInfo): string | null {
  if (typeof fn !== 'function') return null; // calling a non-function is an error the eager run reports
  const info = (fn as NablaFunction)[FN_INFO];
  // a compiled function replays its own plan: tracing its call again would build a second plan of the same step
  // (a Burgers step: 1.7 s and 109 MB), and the loop's eager last iteration would go back to the first one
  if (info?.compiled) return `it calls ${info.name}(), compiled already: each call replays its own plan`;
  if (info?.user) return null; // its body is traced like the loop's
  if (isModel(fn)) return null;
  const b = builtin(fn);
  if (b && (PURE_GROUPS.has(b.group) || PURE_BUILTINS.has(b.name))) return null;
  return `it calls ${b?.name ?? info?.name ?? 'a function'}(), which a compiled replay would not repeat`;
}

/** Why a replay would not repeat `target.name(...)`, or null. */
export function methodRefusal(
  target: Value,
  name: string,
  builtin: (name: string) => { name: string; group: string } | null,
): string | null {
  if (target instanceof Tensor) {
    if (TENSOR_METHODS.has(name)) return null;
    const b = builtin(name);
    if (b && (PURE_GROUPS.has(b.group) || PURE_BUILTINS.has(b.name))) return null;
    return `it calls .${name}() on a tensor, which a compiled replay would not repeat`;
  }
  if (isOptimizer(target) && OPTIMIZER_METHODS.has(name)) return null;
  if (target instanceof Map && (name === 'keys' || name === 'values' || name === 'get')) return null;
  if (Array.isArray(target) && name === 'len') return null;
  return `it calls .${name}() on a ${typeName(target)}, which a compiled replay would not repeat`;
}

export const isOptimizer = (v: Value): v is { paramGroups: { params: Tensor[] }[] } =>
  !!v && typeof v === 'object' && Array.isArray((v as { paramGroups?: unknown }).paramGroups);

export const isModel = (v: Value): v is { params: Tensor[] } =>
  typeof v === 'function' &&
  Array.isArray((v as { params?: unknown }).params) &&
  Array.isArray((v as { layers?: unknown }).layers);
