import type * as A from '../grammar/ast';

/**
 * How deep an expression may nest (a chain `1+1+…+1`, `-…-x`, `f()()…`, `a[0][0]…`) before it is refused
 * with a positioned error. The compiler turns each level into closures that call each other, and compiling
 * and running them recurses once per level: past a few thousand levels the JavaScript stack would overflow.
 * 1,000 stays clear of that in every host (the main thread, the kernel's worker, a browser worker) and is
 * about where the parser's own limit for brackets lies.
 */
export const MAX_NESTING = 1000;

/**
 * How many user-function calls may be open at once (Python's recursion limit is 1,000). Counted rather than
 * left to the JavaScript stack: each call is several JavaScript frames (more where a function compiles
 * itself), and when that stack ran out first the overflow could surface inside the runtime as another error
 * (a deep recursion reported as an internal error under the test runner). 600 stays clear of the stack in
 * every host.
 */
export const MAX_CALL_DEPTH = 600;

/** A RangeError like the engine's own, which the report turns into Python's RecursionError. */
export class RecursionLimit extends RangeError {
  constructor() {
    super(`Maximum call stack size exceeded (more than ${MAX_CALL_DEPTH} nested function calls)`);
  }
}

/**
 * The first node found nested deeper than `limit` (counting AST levels), or null. Walks with an explicit
 * stack, so the check itself cannot overflow, in time linear in the tree's size.
 */
export function tooDeep(root: A.Node, limit = MAX_NESTING): A.Node | null {
  if (root.kind === 'Program') {
    // statement by statement, so the walk's stack holds one statement's nodes, not a large program's
    for (const s of root.body) {
      const deep = tooDeep(s, limit - 1);
      if (deep) return deep;
    }
    return null;
  }
  const stack: [unknown, number][] = [[root, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (!v || typeof v !== 'object') continue;
    if (Array.isArray(v)) {
      for (const x of v) stack.push([x, depth]);
      continue;
    }
    const isNode = typeof (v as { kind?: unknown }).kind === 'string';
    const d = isNode ? depth + 1 : depth;
    if (isNode && d > limit) return v as A.Node;
    for (const k in v) {
      const x = (v as Record<string, unknown>)[k];
      if (k !== 'span' && x && typeof x === 'object') stack.push([x, d]);
    }
  }
  return null;
}
