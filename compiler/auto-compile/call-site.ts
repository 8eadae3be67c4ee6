import type * as A from '../../grammar/ast';
import { FN_INFO, type NablaFunction, type Value } from '../values';
import { children, type Node } from './analyze';
import { isOptimizer } from './policy';

/**
 * How a call site and a self-compiling function (./function.ts) meet. A user function carries its
 * FunctionAuto under FN_AUTO; a call site the compiler knows reads only the result's values (never its
 * autograd graph) says so, and only such calls replay a plan whose traced result had a graph.
 */
export const FN_AUTO = Symbol('nabla.functionAuto');

/** A self-compiling function's call by position, saying whether the caller reads only the result's values. */
export type AutoCall = (args: readonly Value[], valueOnly: boolean) => Value;

export const autoCallOf = (fn: Value): AutoCall | undefined =>
  typeof fn === 'function' ? (fn as unknown as { [FN_AUTO]?: AutoCall })[FN_AUTO] : undefined;

/** Calls whose result is read for its values only: a statement of its own, or the receiver of .item()/.tolist(). */
const valueOnlyCalls = new WeakSet<A.Call>();

export function markValueOnly(e: A.Expr): void {
  if (e.kind === 'Call') valueOnlyCalls.add(e);
}

export const isValueOnly = (e: A.Call): boolean => valueOnlyCalls.has(e);

/** Methods that read a tensor's values, so a call that is their receiver needs no graph. */
export const VALUE_READS = new Set(['item', 'tolist']);

const NEVER: Record<string, string> = {
  For: 'its body has a loop, which compiles itself',
  While: 'its body has a loop, which compiles itself',
  With: 'it opens a `with` scope',
  Time: 'it has a `time` block',
  Explain: 'it has an `explain` statement',
  DetectAnomaly: 'it has a `detect_anomaly` block',
};

/** Why a function body is never traced whole, or null: loops in it compile themselves, scopes run as written. */
export function neverTraced(body: A.Expr | A.Block): string | null {
  const walk = (n: Node): string | null => {
    if (n.kind === 'FnDef' || n.kind === 'Lambda') return null;
    if (NEVER[n.kind]) return NEVER[n.kind];
    for (const c of children(n)) {
      const r = walk(c);
      if (r) return r;
    }
    return null;
  };
  return walk(body as unknown as Node);
}

/**
 * `opt.step(closure)`: the optimizer calls the closure (L-BFGS many times per step) and returns the loss of
 * its first call, dropping the others after reading their values. So every call but the first replays; the
 * first does when the step's own result is read for its values only. Rewrites the closure in `pos`/`kw`.
 */
export function optimizerClosure(opt: Value, pos: Value[], kw: Map<string, Value> | null, valueOnly: boolean): void {
  if (!isOptimizer(opt)) return;
  const i = pos.length === 1 ? 0 : -1;
  const given = i === 0 ? pos[0] : kw?.get('closure');
  const self = autoCallOf(given);
  if (!self) return;
  let calls = 0;
  const closure: NablaFunction = (...args: Value[]) => self(args, calls++ > 0 || valueOnly);
  closure[FN_INFO] = (given as NablaFunction)[FN_INFO];
  Object.defineProperty(closure, 'name', { value: (given as NablaFunction).name });
  if (i === 0) pos[0] = closure;
  else kw!.set('closure', closure);
}
