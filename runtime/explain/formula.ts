import { leadingTo } from '../autograd';
import { isComplex } from '../dtype';
import { edgeOf } from '../engine';
import { NablaError } from '../errors';
import { LeafNode, type Node } from '../graph';
import { ELEMENTWISE } from '../ops/registry';
import { short, whyNoGrad } from '../provenance';
import { fmtSite } from '../site';
import type { Tensor } from '../tensor';
import { unusedReason } from './diagnose';
import { nodeLabel, valueLabel } from './names';
import { parseFormula } from './parse-formula';
import { simplify } from './simplify';
import * as S from './symbolic';

/**
 * formula(y, x): the derivative as text. Re-derives it from the recorded graph: each node's value becomes a
 * symbolic expression of the leaves (by the op's name and attributes), then reverse mode runs symbolically
 * over the same nodes with each op's declared formula (OpDef.formulas) parsed as an expression, seeded with 1
 * (so for a non-scalar y it is the gradient of sum(y), the elementwise derivative where the ops are
 * elementwise), and the result is simplified.
 */
const fail = (msg: string) => new NablaError(`formula: ${msg}`, 'formula', 'ValueError');
const where = (n: Node) => (n.site ? ` at ${fmtSite(n.site)}${n.site.text ? ` (${short(n.site.text)})` : ''}` : '');

const freed = (y: Tensor, n: Node) =>
  `the graph of ${y.name ? `'${y.name}'` : 'the output'} was freed by a backward pass (its saved values are gone, from ${n.op.name}${where(n)} on); call formula before backward or grad, or pass retain_graph=true to them`;

/** Forward expressions by op name: what each recorded op computes, in terms of its inputs. */
const FORWARD: Record<string, (a: S.Expr[], n: Node) => S.Expr> = {
  add: ([a, b]) => S.add(a, b),
  sub: ([a, b]) => S.add(a, S.neg(b)),
  mul: ([a, b]) => S.mul(a, b),
  div: ([a, b]) => S.div(a, b),
  pow: ([a, b], n) => S.pow(a, typeof n.attrs.p === 'number' ? S.num(n.attrs.p) : b),
  neg: ([a]) => S.neg(a),
  matmul: ([a, b]) => S.matmul(a, b),
  // shape plumbing is the identity in the elementwise view
  reshape: ([a]) => a,
  expand: ([a]) => a,
  cast: ([a]) => a,
  clone: ([a]) => a,
  permute: ([a], n) =>
    n.inputMeta[0].shape.length === 2
      ? S.adj(isComplex(n.inputMeta[0].dtype) ? S.call('conj', a) : a)
      : S.call('permute', a),
  where: ([c, a, b]) => S.call('where', c, a, b),
  clamp: ([a], n) => S.call('clamp', a, S.num(n.attrs.min ?? -Infinity), S.num(n.attrs.max ?? Infinity)),
};
// every registry elementwise op is a call of its name (its params, as leaky_relu's slope, follow the inputs)
for (const e of ELEMENTWISE) {
  if (!FORWARD[e.name])
    FORWARD[e.name] = (args, n) => S.call(e.name, ...args, ...(e.params ?? []).map((p) => S.num(n.attrs[p.name])));
}
for (const f of ['sum', 'mean', 'norm', 'max', 'min', 'conj', 'real', 'imag', 'angle']) {
  FORWARD[f] = ([a]) => S.call(f, a);
}
FORWARD.complex = ([a, b]) => S.call('complex', a, b);

/** Rules whose declared text is prose rather than an expression, restated as expressions. */
const RULE_OVERRIDE: Record<string, (i: number, n: Node) => string | undefined> = {
  permute: (_i, n) => (n.inputMeta[0].shape.length === 2 ? "{g}'" : undefined),
  real: () => '{g}',
};

export function formula(y: Tensor, x: Tensor): string {
  const yNode = y.gradFn ?? y.leafNode;
  const xNode = edgeOf(x);
  if (y === x) return '1';
  if (!yNode) throw fail(whyNoGrad(y, 'the output'));
  if (!xNode)
    throw fail(
      `the input${x.name ? ` '${x.name}'` : ''} does not require grad, so y does not depend on it differentiably; create it with param(...) or watch it`,
    );
  const xName = x.name ?? 'x';
  const symOf = (t: Tensor, name: string) => S.sym(name, { vector: t.rank <= 1, complex: isComplex(t.dtype) });

  const fwd = new Map<Node, S.Expr>();
  const constant = (t: Tensor): S.Expr => {
    if (t.name) return symOf(t, t.name);
    if (t.size === 1 && !isComplex(t.dtype)) return S.num(t.toHost()[0]);
    return symOf(t, valueLabel(t));
  };
  // forward expressions, iteratively (deep graphs must not overflow the stack)
  const forward = (root: Node): S.Expr => {
    const stack: Node[] = [root];
    while (stack.length) {
      const n = stack[stack.length - 1];
      if (fwd.has(n)) {
        stack.pop();
        continue;
      }
      if (n === xNode) {
        fwd.set(n, symOf(x, xName));
        stack.pop();
        continue;
      }
      if (n instanceof LeafNode) {
        fwd.set(n, symOf(n.leaf, n.leaf.name ?? '?'));
        stack.pop();
        continue;
      }
      const missing = n.next.filter((c): c is Node => !!c && !fwd.has(c));
      if (missing.length) {
        stack.push(...missing);
        continue;
      }
      stack.pop();
      const saved = n.peekInputs();
      if (!saved) throw fail(freed(y, n));
      const args = saved.map((t, i) => (n.next[i] ? fwd.get(n.next[i]!)! : constant(t)));
      const build = FORWARD[n.op.name];
      fwd.set(n, build ? build(args, n) : S.sym(nodeLabel(n)));
    }
    return fwd.get(root)!;
  };

  // the nodes on a path from y to x, in an order where every consumer comes before what it consumes
  const order = pathNodes(yNode, xNode);
  if (!order) throw fail(`${x.name ? `'${x.name}'` : 'the input'} ${unusedReason(x, [yNode], [y])}`);
  const onPath = new Set(order);
  const grads = new Map<Node, S.Expr[]>([[yNode, [S.num(1)]]]);
  for (const n of order) {
    if (n === xNode) break;
    const gs = grads.get(n);
    if (!gs || n instanceof LeafNode) continue;
    const g = simplify(S.add(...gs));
    const saved = n.peekInputs();
    if (!saved) throw fail(freed(y, n));
    n.next.forEach((c, i) => {
      if (!c || !onPath.has(c)) return;
      const text = RULE_OVERRIDE[n.op.name]?.(i, n) ?? n.op.formulas[i];
      if (!text) throw fail(`${n.op.name}${where(n)} declares no formula for its input ${i + 1}`);
      const env = (name: string): S.Expr | undefined => {
        // a seed of 1 in a matrix rule is a tensor of ones (ones(2) @ W' evaluates; 1 @ W' does not)
        if (name === 'g')
          return g.k === 'num' &&
            (text.includes('@') || text.includes('outer(')) &&
            n.outMeta.shape.reduce((a, b) => a * b, 1) > 1
            ? S.mul(g, S.sym(`ones(${n.outMeta.shape.join(', ')})`))
            : g;
        if (name === 'out') return forward(n);
        const xi = /^x(\d+)$/.exec(name);
        if (xi) {
          const j = Number(xi[1]);
          if (!saved) return undefined;
          return n.next[j] ? forward(n.next[j]!) : constant(saved[j]);
        }
        const a = n.attrs[name];
        if (typeof a === 'number') return S.num(a);
        if (a === null && (name === 'min' || name === 'max')) return S.num(name === 'min' ? -Infinity : Infinity);
        if (name === 'i') return S.sym('i', { complex: true });
        return undefined;
      };
      let vjp: S.Expr;
      try {
        vjp = parseFormula(text, env);
      } catch (e) {
        if (!(e instanceof S.NoSymbolicForm)) throw e;
        throw fail(
          `${n.op.name}${where(n)} has no symbolic form: its backward is "${text}", which is not an expression of its inputs, so no formula for d${y.name ?? 'y'}/d${xName} can be written (grad(${y.name ?? 'y'}, ${xName}) gives the numbers)`,
        );
      }
      if (!grads.has(c)) grads.set(c, []);
      grads.get(c)!.push(vjp);
    });
  }
  const gx = grads.get(xNode);
  return S.print(simplify(gx ? S.add(...gx) : S.num(0)));
}

/** Nodes on some path from `from` to `to`, consumers first (Kahn's order on that subgraph); null if none. */
function pathNodes(from: Node, to: Node): Node[] | null {
  const useful = leadingTo([from], new Set([to]));
  if (!useful.has(from)) return null;
  const deps = new Map<Node, number>();
  for (const n of useful)
    if (n !== to) for (const c of n.next) if (c && useful.has(c)) deps.set(c, (deps.get(c) ?? 0) + 1);
  const ready = [from];
  const order: Node[] = [];
  while (ready.length) {
    const n = ready.shift()!;
    order.push(n);
    if (n === to) continue;
    for (const c of n.next) {
      if (!c || !useful.has(c)) continue;
      const left = deps.get(c)! - 1;
      deps.set(c, left);
      if (left === 0) ready.push(c);
    }
  }
  return order;
}
