// Property tests: whatever the input, parse() and isComplete() return (never throw), every
// diagnostic and every AST node has a sound span, and a program without diagnostics holds
// no Missing placeholder.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { isComplete, KEYWORDS, OPERATORS, parse } from '../../grammar/index';
import { allNodes, spanProblem } from './walk';

function check(source: string): void {
  const { program, diagnostics } = parse(source, 'fuzz.nabla');
  if (program === null && diagnostics.length === 0) throw new Error('neither a program nor a diagnostic');
  for (const d of diagnostics) {
    const problem = spanProblem(d.span, source);
    if (problem) throw new Error(`diagnostic "${d.message}": ${problem}`);
    if (d.message.startsWith('internal error')) throw new Error(d.message);
    if (d.message.trim() === '') throw new Error('empty message');
  }
  for (const node of allNodes(program)) {
    const problem = spanProblem(node.span, source);
    if (problem) throw new Error(`${node.kind}: ${problem}`);
    if (node.kind === 'Missing' && diagnostics.length === 0) throw new Error('Missing node without a diagnostic');
  }
  const { status } = isComplete(source);
  if (!['complete', 'incomplete', 'invalid'].includes(status)) throw new Error(`status ${status}`);
  if ((status === 'complete') !== (diagnostics.length === 0)) {
    throw new Error(`status ${status} with ${diagnostics.length} diagnostics`);
  }
}

const fragments = [
  ...KEYWORDS,
  ...OPERATORS,
  ...['x', 'y', 'f', 'grad', 'αβ', '∇', '𝑥', '_1', 'W'],
  ...['1', '0.5', '1e-3', '.5', '2i', '0.5i', '1..2'],
  ...['"s"', '"a\\"b"', '"\\q"', '"open', '"'],
  ...['\n', '\n', '\r\n', ';', '\t', '# c\n', '{', '}', '(', ')', '[', ']'],
  ...['$', '!', '&', '|', '\\', '`', '\u00a0', '\ufeff', '\0'],
];
const separators = ['', ' ', ' ', '\n'];

const tokenSoup = fc
  .array(fc.tuple(fc.constantFrom(...fragments), fc.constantFrom(...separators)), { maxLength: 60 })
  .map((parts) => parts.map(([f, s]) => f + s).join(''));

const validPrograms = [
  'x = 1\ny = x + 2 * 3',
  'fn mse(a, b) = mean((a - b)^2)\nfn net(x) {\n  h = tanh(x @ W1 + b1)\n  h @ W2 + b2\n}',
  'for i in range(1000) {\n  if i % 10 == 0 { print(i) } else if i > 5 { break } else { continue }\n}',
  'with tape(persistent=true) as t { watch(x); y = f(x) }\ng = t.gradient(y, x)',
  '@custom_grad(fn(x, y, g) = g)\nfn binarize(x) = round(x)',
  'no_grad { w -= lr * w.grad }\ndetect_anomaly { L.backward() }\ntime { opt.step() }',
  'opt = adam([{params: gen.params, lr: 1e-3}, {params: c.params, maximize: true}])',
  "a, b = x[0, 1:3, :, -1, ::2], W' @ v\nexplain grad(y, x)\nm = {h: g}\nz = 2i * (1, 2,)",
  'while not done and k < 10 {\n  k += 1\n}\nr = 0..n\ns = "t\\n"',
];

// Edits that break programs the way typing does: deletions, insertions, duplications.
const editKind = fc.constantFrom('delete', 'insert', 'duplicate', 'replace');
const edit = fc.tuple(fc.nat(), fc.nat({ max: 8 }), fc.constantFrom(...fragments), editKind);
const edits = fc.array(edit, { minLength: 1, maxLength: 4 });
const mutatedProgram = fc.tuple(fc.constantFrom(...validPrograms), edits).map(([program, edits]) =>
  edits.reduce((src, [at, len, fragment, kind]) => {
    const i = at % (src.length + 1);
    switch (kind) {
      case 'delete':
        return src.slice(0, i) + src.slice(i + len);
      case 'insert':
        return src.slice(0, i) + fragment + src.slice(i);
      case 'duplicate':
        return src.slice(0, i + len) + src.slice(i, i + len) + src.slice(i + len);
      case 'replace':
        return src.slice(0, i) + fragment + src.slice(i + len);
    }
  }, program),
);

describe('parse never throws', () => {
  it('on the valid samples, which parse without diagnostics', () => {
    for (const source of validPrograms) {
      check(source);
      if (parse(source).diagnostics.length > 0) throw new Error(`sample does not parse: ${source}`);
    }
  });

  // Broken input is the slow path (Chevrotain computes the expected paths of every syntax
  // error, and each exception captures a stack): about 1 ms a case, hence the timeouts.
  it('on token soups', { timeout: 60_000 }, () => {
    fc.assert(fc.property(tokenSoup, check), { numRuns: 2500 });
  });

  it('on mutated valid programs', { timeout: 60_000 }, () => {
    fc.assert(fc.property(mutatedProgram, check), { numRuns: 2500 });
  });

  it('on arbitrary Unicode text', { timeout: 60_000 }, () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 80 }), check), { numRuns: 1000 });
  });
});
