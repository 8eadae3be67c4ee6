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

type Node = { kind: string; span?: unknown; [k: string]: unknown };

function children(n: Node): Node[] {
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

export function analyzeBody(stmts: readonly A.Stmt[], loopTargets: readonly string[], extraTainted: Iterable<string> = []): BodyPlan {
  const nodes = stmts as unknown as Node[];
  const reads = nodes.map((s) => mentions(s));
  const writes = nodes.map((s) => assigned(s));
  const tainted = new Set<string>([...loopTargets, ...extraTainted]);
  // anything assigned by a statement that mentions a tainted name is tainted too, to a fixpoint
  for (let changed = true; changed; ) {
    changed = false;
    nodes.forEach((_, i) => {
      if (![...reads[i]].some((n) => tainted.has(n))) return;
      for (const w of writes[i]) if (!tainted.has(w)) tainted.add(w), (changed = true);
    });
  }
  const host = nodes.map((s, i) => {
    if (SCOPES[s.kind]) return SCOPES[s.kind];
    const exit = leaves(s);
    if (exit) return `it can leave the iteration (${exit})`;
    const t = [...reads[i]].find((n) => tainted.has(n));
    if (t !== undefined) return `it reads \`${t}\`, which changes every iteration`;
    return null;
  });
  const carried = [...new Set(writes.flatMap((w) => [...w]))].filter((n) => !tainted.has(n));
  return { host, carried, tainted };
}
