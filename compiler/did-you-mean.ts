/**
 * "Did you mean …?" for names, keywords and attributes. The distance is the optimal-string-alignment
 * (restricted Damerau) distance, so a swapped pair of letters is one edit (`tahn` → `tanh`, not `tan`).
 * The user controls the unknown name, so the work is bounded: a candidate whose length differs by more than
 * the allowed distance is skipped without computing anything, compared lengths are capped, and the rows of
 * the table are reused, so a 30,000-character name costs no more than a short one.
 */

/** Names longer than this are not typos of a real name (no builtin is this long); they get no suggestion. */
const MAX_COMPARED = 64;

/** How many edits a name of this length may be away from a suggestion (a one-letter name is no typo of another). */
export const maxDistance = (name: string) =>
  Math.min(Math.max(1, Math.floor(Math.min(name.length, MAX_COMPARED) / 3)), name.length - 1);

/**
 * The OSA distance between a and b, or Infinity as soon as it must exceed `limit` (rows are cut off when
 * their smallest entry is above it).
 */
export function editDistance(a: string, b: string, limit = Infinity): number {
  if (Math.abs(a.length - b.length) > limit) return Infinity;
  if (a.length > MAX_COMPARED || b.length > MAX_COMPARED) return a === b ? 0 : Infinity;
  const n = b.length;
  let prev2 = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  let cur = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2] + 1);
      cur[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > limit) return Infinity;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[n];
}

/**
 * The closest candidates to `name` (at most `max`), nearest first, ties in the candidates' order. `aliases`
 * maps a spelling from another library (PyTorch, TensorFlow) to the name it is called here; such a match
 * comes first.
 */
export function closest(
  name: string,
  candidates: Iterable<string>,
  opts: { max?: number; aliases?: Readonly<Record<string, readonly string[]>> } = {},
): string[] {
  const max = opts.max ?? 3;
  const pool = [...new Set(candidates)];
  const fromAlias = opts.aliases ? pool.filter((c) => opts.aliases![c]?.includes(name)) : [];
  const limit = maxDistance(name);
  const scored: [string, number][] = [];
  for (const c of pool) {
    if (fromAlias.includes(c)) continue;
    const d = editDistance(name, c, limit);
    if (d <= limit) scored.push([c, d]);
  }
  // ties go to the candidate as long as the name (a swap keeps the length: tahn is tanh before tan)
  const gap = (c: string) => Math.abs(c.length - name.length);
  scored.sort((x, y) => x[1] - y[1] || gap(x[0]) - gap(y[0]));
  return [...fromAlias, ...scored.map(([c]) => c)].slice(0, max);
}

/** "; did you mean 'a' or 'b'?" or nothing. */
export function didYouMean(
  name: string,
  candidates: Iterable<string>,
  aliases?: Readonly<Record<string, readonly string[]>>,
): string {
  const c = closest(name, candidates, { aliases });
  return c.length ? `; did you mean ${c.map((n) => `'${n}'`).join(' or ')}?` : '';
}

/** The names a message's "did you mean 'a' or 'b'?" (didYouMean's wording) suggests, for an editor's quick fix. */
export function suggestedNames(message: string): string[] {
  const m = /did you mean ((?:'[^']*'(?: or )?)+)\?/.exec(message);
  return m ? [...m[1].matchAll(/'([^']*)'/g)].map((x) => x[1]) : [];
}

/**
 * Keyword spellings from PyTorch, TensorFlow and JAX, under the name Nabla gives the parameter: an unknown
 * keyword found here is suggested as the Nabla one first.
 */
export const KEYWORD_ALIASES: Readonly<Record<string, readonly string[]>> = {
  output_gradients: ['grad_outputs', 'grad_output', 'output_gradient', 'output_grads', 'gradient', 'grad_tensors'],
  grad_outputs: ['grad_output', 'output_gradients', 'output_gradient', 'grad_tensors', 'gradient', 'cotangents'],
  grad_tensors: ['gradient', 'grad_outputs', 'grad_output', 'output_gradients'],
  gradient: ['grad_tensors', 'grad_outputs', 'grad_output', 'output_gradients'],
  retain_graph: ['retain', 'retain_variables', 'keep_graph', 'retain_grad'],
  create_graph: ['create', 'higher_order'],
  unconnected: ['unconnected_gradients', 'unconnected_grads'],
  allow_unused: ['allow_unconnected', 'unused'],
  keepdim: ['keepdims', 'keep_dims'],
  axis: ['dim', 'axes', 'dims'],
  set_to_none: ['to_none', 'set_none'],
  persistent: ['persist', 'watch_accessed_variables'],
  requires_grad: ['requiresgrad', 'trainable', 'grad'],
  closure: ['fn', 'loss_fn'],
  weight_decay: ['decay', 'wd', 'l2'],
  lr: ['learning_rate', 'step_size', 'alpha'],
};
