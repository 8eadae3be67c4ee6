import { shapeError, typeError } from '../../errors';
import { fmtShape } from '../../shape';
import type { Tensor } from '../../tensor';
import { matmul } from '../matmul';
import { sum } from '../reduce';
import { expand, gather, permute, reshape } from '../shape';
import { checkResultSize } from './entry';

/**
 * einsum as PyTorch accepts it: letters a-z A-Z, at most one `...` per term (broadcast, aligned from the
 * right), an explicit `->` output or the implicit one (`...` first, then the letters used once, in ASCII
 * order, so upper case before lower). A repeated letter in one term takes that diagonal; letters no longer
 * needed are summed as early as possible; operands are contracted left to right, each pair as one batched
 * matmul. Everything is differentiable ops (permute, reshape, expand, gather, sum, matmul), so gradients of
 * every order, and complex operands, come from their rules.
 */
interface Term {
  labels: string[];
  t: Tensor;
}

const MAX_TERMS = 64;

function parseTerm(s: string, where: string): { letters: string[]; ellipsis: number } {
  const dots = s.indexOf('...');
  if (dots >= 0 && s.indexOf('...', dots + 1) >= 0)
    throw typeError('einsum', `${where} '${s}' has more than one '...'`);
  const plain = dots >= 0 ? s.slice(0, dots) + '\u0000' + s.slice(dots + 3) : s;
  const letters: string[] = [];
  let ellipsis = -1;
  for (const ch of plain) {
    if (ch === '\u0000') ellipsis = letters.length;
    else if (/^[a-zA-Z]$/.test(ch)) letters.push(ch);
    else throw typeError('einsum', `${where} '${s}' contains '${ch}'; subscripts are letters a-z, A-Z and one '...'`);
  }
  return { letters, ellipsis };
}

/** The diagonal over axes i < j (equal sizes): a gather on the two axes flattened together. */
function diagonal(t: Tensor, i: number, j: number): Tensor {
  const n = t.shape[i];
  const rest = t.shape.map((_, k) => k).filter((k) => k !== i && k !== j);
  const moved = permute(t, [...rest, i, j]);
  const flat = reshape(moved, [...rest.map((k) => t.shape[k]), n * n]);
  const diag = gather(
    flat,
    rest.length,
    Int32Array.from({ length: n }, (_, k) => k * (n + 1)),
  );
  // the diagonal takes the place of axis i
  const perm = [...Array(rest.length).keys()];
  const at = rest.filter((k) => k < i).length;
  perm.splice(at, 0, rest.length);
  return permute(diag, perm);
}

/** Sums the labels not in keep. */
function sumOut(term: Term, keep: Set<string>): Term {
  const axes = term.labels.flatMap((l, k) => (keep.has(l) ? [] : [k]));
  if (!axes.length) return term;
  return { labels: term.labels.filter((l) => keep.has(l)), t: sum(term.t, { axis: axes }) };
}

const broadcastTo = (term: Term, sizes: Map<string, number>): Tensor => {
  const target = term.labels.map((l) => sizes.get(l)!);
  checkResultSize('einsum', target, 'a broadcast operand');
  return target.every((d, k) => d === term.t.shape[k]) ? term.t : expand(term.t, target);
};

/** One batched matmul: a [batch, aOnly, shared] @ b [batch, shared, bOnly]. */
function contract(a: Term, b: Term, keep: Set<string>, sizes: Map<string, number>): Term {
  const inB = new Set(b.labels);
  const batch = a.labels.filter((l) => inB.has(l) && keep.has(l));
  const shared = a.labels.filter((l) => inB.has(l) && !keep.has(l));
  const aOnly = a.labels.filter((l) => !inB.has(l));
  const bOnly = b.labels.filter((l) => !a.labels.includes(l));
  const size = (ls: string[]) => ls.reduce((p, l) => p * sizes.get(l)!, 1);
  checkResultSize(
    'einsum',
    [...batch, ...aOnly, ...bOnly].map((l) => sizes.get(l)!),
    'an intermediate product',
  );
  const at = permute(
    broadcastTo(a, sizes),
    [...batch, ...aOnly, ...shared].map((l) => a.labels.indexOf(l)),
  );
  const bt = permute(
    broadcastTo(b, sizes),
    [...batch, ...shared, ...bOnly].map((l) => b.labels.indexOf(l)),
  );
  const prod = matmul(
    reshape(at, [size(batch), size(aOnly), size(shared)]),
    reshape(bt, [size(batch), size(shared), size(bOnly)]),
  );
  const labels = [...batch, ...aOnly, ...bOnly];
  return {
    labels,
    t: reshape(
      prod,
      labels.map((l) => sizes.get(l)!),
    ),
  };
}

export function einsum(equation: string, operands: readonly Tensor[]): Tensor {
  if (typeof equation !== 'string')
    throw typeError('einsum', 'the first argument is the equation, a string such as "ij,jk->ik"');
  if (equation.length > 10_000) throw typeError('einsum', 'the equation is too long');
  const eq = equation.replace(/\s+/g, '');
  const arrow = eq.indexOf('->');
  const lhs = arrow >= 0 ? eq.slice(0, arrow) : eq;
  const rhs = arrow >= 0 ? eq.slice(arrow + 2) : null;
  if (rhs !== null && rhs.includes('->')) throw typeError('einsum', `'${equation}' has more than one '->'`);
  const specs = lhs.split(',');
  if (specs.length > MAX_TERMS) throw typeError('einsum', `at most ${MAX_TERMS} operands`);
  if (specs.length !== operands.length) {
    throw typeError(
      'einsum',
      `'${equation}' has ${specs.length} input term${specs.length === 1 ? '' : 's'} but ${operands.length} operand${operands.length === 1 ? ' was' : 's were'} given`,
    );
  }
  const parsed = specs.map((s, i) => ({ ...parseTerm(s, `term ${i + 1}`), t: operands[i] }));
  // '...' stands for the same broadcast dims in every term, aligned from the right
  let E = 0;
  parsed.forEach((p, i) => {
    const e = p.t.rank - p.letters.length;
    if (p.ellipsis < 0 ? e !== 0 : e < 0) {
      throw shapeError(
        'einsum',
        `term ${i + 1} '${specs[i]}' names ${p.letters.length} axes but operand ${i + 1} has shape ${fmtShape(p.t.shape)}${p.ellipsis < 0 ? " (use '...' for the rest)" : ''}`,
      );
    }
    if (p.ellipsis >= 0) E = Math.max(E, e);
  });
  const ell = (k: number) => `\u0001${k}`;
  const terms: Term[] = parsed.map((p) => {
    const e = p.t.rank - p.letters.length;
    const labels = [...p.letters];
    if (p.ellipsis >= 0) labels.splice(p.ellipsis, 0, ...Array.from({ length: e }, (_, k) => ell(E - e + k)));
    return { labels, t: p.t };
  });
  const ellLabels = Array.from({ length: E }, (_, k) => ell(k));
  let out: string[];
  const count = new Map<string, number>();
  for (const p of parsed) for (const l of p.letters) count.set(l, (count.get(l) ?? 0) + 1);
  if (rhs === null) {
    out = [...ellLabels, ...[...count.keys()].filter((l) => count.get(l) === 1).sort()];
  } else {
    const o = parseTerm(rhs, 'the output');
    o.letters.forEach((l, k) => {
      if (!count.has(l)) throw typeError('einsum', `output letter '${l}' does not appear in any input term`);
      if (o.letters.indexOf(l) !== k) throw typeError('einsum', `output letter '${l}' appears twice`);
    });
    // without '...' in the output, the broadcast dims are summed (as PyTorch does)
    out = [...o.letters];
    if (o.ellipsis >= 0) out.splice(o.ellipsis, 0, ...ellLabels);
  }
  // sizes: equal, or 1 broadcasting against n
  const sizes = new Map<string, number>();
  for (const [i, term] of terms.entries()) {
    term.labels.forEach((l, k) => {
      const d = term.t.shape[k];
      const s = sizes.get(l);
      if (s === undefined || s === 1) sizes.set(l, d);
      else if (d !== s && d !== 1) {
        const name = l.startsWith('\u0001') ? "a '...' axis" : `letter '${l}'`;
        throw shapeError(
          'einsum',
          `${name} has size ${s} in one operand but ${d} in operand ${i + 1} (shape ${fmtShape(term.t.shape)}); sizes must match or be 1`,
        );
      }
    });
  }
  // repeated letters within a term: take the diagonal
  for (const term of terms) {
    for (let i = 0; i < term.labels.length; i++) {
      const j = term.labels.indexOf(term.labels[i], i + 1);
      if (j < 0) continue;
      if (term.t.shape[i] !== term.t.shape[j])
        throw shapeError(
          'einsum',
          `letter '${term.labels[i]}' repeats in one term over axes of sizes ${term.t.shape[i]} and ${term.t.shape[j]}; a diagonal needs equal sizes`,
        );
      term.t = diagonal(term.t, i, j);
      term.labels.splice(j, 1);
      i--;
    }
  }
  const needed = (from: number) => new Set([...out, ...terms.slice(from).flatMap((t) => t.labels)]);
  let acc = sumOut(terms[0], needed(1));
  for (let k = 1; k < terms.length; k++) {
    const keep = needed(k + 1);
    const b = sumOut(terms[k], new Set([...keep, ...acc.labels]));
    acc = contract(sumOut(acc, new Set([...keep, ...b.labels])), b, keep, sizes);
  }
  acc = sumOut(acc, new Set(out));
  return permute(
    acc.t,
    out.map((l) => acc.labels.indexOf(l)),
  );
}
