import { Tensor } from '../../runtime';
import { Tuple, type Value } from '../values';
import { isModel, isOptimizer } from './policy';

/**
 * What a loop trace assumed about a value it read, checked before each replay. A tensor it takes as an
 * input (a variable the loop rebinds) must keep its layout; anything else must be the same value: numbers
 * by value, tensors and objects by identity, lists, tuples and maps item by item, an optimizer's and a
 * model's parameter lists tensor by tensor (which tensors are parameters). An optimizer's hyperparameters
 * need no guard: a replay calls its step again, which reads them then, as an eager step would.
 */
export type Guard = { kind: 'layout'; key: string } | { kind: 'same'; print: unknown[] };

/** Beyond this many items a list is not guarded but refused (hostile sizes are normal input). */
export const MAX_GUARDED_ITEMS = 4096;

export function layoutKey(t: Tensor): string {
  return `${t.dtype}[${t.shape}]/${t.strides}+${t.offset}${t.requiresGrad ? 'r' : ''}`;
}

/** A flat list of what must stay identical; null when too large or too deeply nested to guard. */
export function fingerprint(v: Value): unknown[] | null {
  const out: unknown[] = [];
  const walk = (x: Value, depth: number): boolean => {
    if (out.length > MAX_GUARDED_ITEMS) return false;
    out.push(x);
    // deeper containers are not walked, so they are refused rather than guarded by identity alone
    if (depth > 3) return !(Array.isArray(x) || x instanceof Tuple || x instanceof Map);
    if (Array.isArray(x) || x instanceof Tuple) {
      const items = Array.isArray(x) ? x : x.items;
      out.push(items.length);
      return items.every((i) => walk(i, depth + 1));
    }
    if (x instanceof Map) {
      out.push(x.size);
      for (const [k, y] of x) if (!walk(k, depth + 1) || !walk(y, depth + 1)) return false;
      return true;
    }
    if (isOptimizer(x)) {
      for (const g of x.paramGroups) {
        out.push(g.params.length);
        out.push(...g.params);
      }
      return out.length <= MAX_GUARDED_ITEMS;
    }
    if (isModel(x)) {
      out.push(x.params.length, ...x.params);
      return out.length <= MAX_GUARDED_ITEMS;
    }
    return true;
  };
  return walk(v, 0) ? out : null;
}

export function holds(g: Guard, v: Value): boolean {
  if (g.kind === 'layout') return v instanceof Tensor && layoutKey(v) === g.key;
  const now = fingerprint(v);
  if (!now || now.length !== g.print.length) return false;
  for (let i = 0; i < now.length; i++) if (!Object.is(now[i], g.print[i])) return false;
  return true;
}
