import type * as A from '../../grammar/ast';

/**
 * What the compiler sees of a loop before it runs: which top-level statements of its body may be traced and,
 * for the others, why not. A statement runs eagerly in every iteration (a "host statement") when it reads a
 * name that changes every iteration (the loop variable, or anything assigned from it: `if step % 500 == 0`),
 * can leave the iteration (break, continue, return), or defines a function or opens a scope. The runs of
 * other statements between host statements are the loop's segments (./segment.ts).
 */
export interface BodyPlan {
  /** For each top-level statement: why it runs eagerly, or null when it may be traced. */
  host: (string | null)[];
  /** Names assigned anywhere in the body (outside nested functions) and not tainted: a segment's possible outputs. */
  carried: string[];
  tainted: Set<string>;
}

export type Node = { kind: string; span?: unknown; [k: string]: unknown };

export function children(n: Node): Node[] {
  const out: Node[] = [];
  for (const [k, v] of Object.entries(n)) {
    if (k === 'span') continue;
    if (Array.isArray(v)) for (const x of v) if (x && typeof x === 'object' && 'kind' in x) out.push(x as Node);
    if (v && typeof v === 'object' && !Array.isArray(v) && 'kind' in v) out.push(v as Node);
  }
  return out;
}

/** Every name a statement mentions, nested functions included (their reads happen when called). */
function mentions(n: Node, out = new Set<string>()): Set<string> {
  if (n.kind === 'Name') out.add(n.name as string);
  for (const c of children(n)) mentions(c, out);
  return out;
}

/** Names a statement assigns (its own, not those of functions it defines, which are their locals). */
function assigned(n: Node, out = new Set<string>()): Set<string> {
  const target = (t: Node) => t.kind === 'Name' && out.add(t.name as string);
  switch (n.kind) {
    case 'Assign':
    case 'CompoundAssign':
      target(n.target as Node);
      break;
    case 'Destructure':
      (n.targets as Node[]).forEach(target);
      break;
    case 'For':
      (n.targets as Node[]).forEach(target);
      break;
    case 'FnDef':
      target(n.name as Node);
      return out;
    case 'With':
      if (n.name) target(n.name as Node);
      break;
    case 'Lambda':
      return out;
  }
  for (const c of children(n)) assigned(c, out);
  return out;
}

/** A break/continue that leaves this statement's loop iteration (not one of a loop nested in it), or a return. */
function leaves(n: Node, inLoop = false): string | null {
  if (n.kind === 'FnDef' || n.kind === 'Lambda') return null;
  if (n.kind === 'Return') return 'return';
  if ((n.kind === 'Break' || n.kind === 'Continue') && !inLoop) return n.kind === 'Break' ? 'break' : 'continue';
  const nested = inLoop || n.kind === 'For' || n.kind === 'While';
  for (const c of children(n)) {
    const r = leaves(c, nested);
    if (r) return r;
  }
  return null;
}

const SCOPES: Record<string, string> = {
  FnDef: 'it defines a function',
  With: 'it opens a `with` scope',
  Time: 'it is a `time` block',
  Explain: 'it is an `explain` statement',
  DetectAnomaly: 'it is a `detect_anomaly` block',
};

export function analyzeBody(
  stmts: readonly A.Stmt[],
  loopTargets: readonly string[],
  extraTainted: Iterable<string> = [],
): BodyPlan {
  const nodes = stmts as unknown as Node[];
  const reads = nodes.map((s) => mentions(s));
  const writes = nodes.map((s) => assigned(s));
  const tainted = new Set<string>([...loopTargets, ...extraTainted]);
  // anything assigned by a statement that mentions a tainted name is tainted too, to a fixpoint
  for (let changed = true; changed;) {
    changed = false;
    nodes.forEach((_, i) => {
      if (![...reads[i]].some((n) => tainted.has(n))) return;
      for (const w of writes[i]) if (!tainted.has(w)) (tainted.add(w), (changed = true));
    });
  }
  const host = nodes.map((s, i) => {
    if (SCOPES[s.kind]) return SCOPES[s.kind];
    const exit = leaves(s);
    if (exit) return `it can leave the iteration (${exit})`;
    const t =
      [...reads[i]].find((n) => tainted.has(n) && !writes[i].has(n)) ?? [...reads[i]].find((n) => tainted.has(n));
    if (t !== undefined) return `it reads \`${t}\`, which changes every iteration`;
    return null;
  });
  const carried = [...new Set(writes.flatMap((w) => [...w]))].filter((n) => !tainted.has(n));
  return { host, carried, tainted };
}

const AUTODIFF_CALLS = new Set([
  'grad',
  'backward',
  'jacobian',
  'hessian',
  'vjp',
  'jvp',
  'tape',
  'retain_grad',
  'register_hook',
]);
const HISTORY_ATTRS = new Set(['grad_fn', 'is_leaf', 'backward', 'retain_grad', 'register_hook']);

const VALUE_ONLY = new Set(['item', 'tolist', 'shape', 'dtype', 'ndim', 'size', 'numel', 'dim']);

/**
 * For each statement: the names whose autograd graph it may use (and not just their numbers), with why: a
 * name inside the arguments of grad/backward/... or of a user function (which might differentiate it), or
 * whose .grad_fn/.backward it reads; `x.item()` and the like read numbers only. A replayed segment hands
 * its results on without their graph, so such a statement must not see them.
 */
export function historyUses(stmts: readonly A.Stmt[], isBuiltin: (name: string) => boolean): Map<string, string>[] {
  return (stmts as unknown as Node[]).map((s) => {
    const exposed = new Map<string, string>();
    const walk = (n: Node, why: string | null): void => {
      if (n.kind === 'Name') {
        if (why && !exposed.has(n.name as string)) exposed.set(n.name as string, why);
        return;
      }
      if (n.kind === 'Attr') {
        const attr = n.name as string;
        if (HISTORY_ATTRS.has(attr)) return walk(n.target as Node, `it reads .${attr}`);
        if (VALUE_ONLY.has(attr)) return walk(n.target as Node, null);
      }
      if (n.kind === 'Call') {
        const callee = n.callee as Node;
        let inner = why;
        if (callee.kind === 'Name') {
          const name = callee.name as string;
          if (AUTODIFF_CALLS.has(name)) inner = `it calls ${name}()`;
          else if (!isBuiltin(name)) inner = `it passes it to ${name}(), which may differentiate it`;
        }
        walk(callee, why);
        for (const a of n.args as Node[]) walk(a, inner);
        return;
      }
      for (const c of children(n)) walk(c, why);
    };
    walk(s, null);
    return exposed;
  });
}
