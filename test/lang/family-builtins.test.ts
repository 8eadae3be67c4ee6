import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createSession } from '../../compiler';
import { signatureOf } from '../../compiler/builtins/registry';
import { completeAt } from '../../compiler/completion';
import { backwardText, familyOf } from '../../runtime/ops/registry';
import { END, START } from '../../scripts/op-docs';
import { numbersIn, runNabla } from './run';

/**
 * The builtins, methods, completion and docs of the indexing and linalg families (declared in
 * runtime/ops/families, registered in the op registry): each entry is a builtin with the entry's signature, reachable as a method, refused with a sentence for unknown
 * keywords, wrong arity and wrong kinds of argument, and listed in the docs' generated op reference.
 */
const ENTRIES = [...familyOf('indexing'), ...familyOf('linalg')];

function fails(code: string): string {
  const r = runNabla(code);
  if (r.ok) throw new Error(`expected an error from: ${code}`);
  expect(r.ename).not.toBe('InternalError');
  expect(r.traceback.join('\n')).toMatch(/test\.nabla:\d+:\d+/);
  return `${r.ename}: ${r.evalue}`;
}

const printed = (code: string) => {
  const r = runNabla(code);
  if (!r.ok) throw new Error(r.traceback.join('\n'));
  return r.stdout;
};

describe('family builtins', () => {
  const session = createSession();

  it('every table entry is a builtin with the table signature and doc', () => {
    expect(familyOf('indexing').length).toBe(15);
    expect(familyOf('linalg').length).toBe(6);
    for (const e of ENTRIES) {
      expect(session.builtins.signature(e.name)).toBe(signatureOf(e));
      expect(session.builtins.defs.get(e.name)!.doc).toContain(e.doc);
      expect(session.builtins.defs.get(e.name)!.doc).toContain(backwardText(e));
    }
    expect(session.builtins.signature('einsum')).toBe('einsum(equation, *operands)');
    expect(session.builtins.signature('scatter_add')).toBe('scatter_add(x, axis, index, src)');
  });

  it("the docs' one op reference has a row per entry with its signature and gradient (scripts/op-docs.ts --check keeps it current)", () => {
    const doc = readFileSync(new URL('../../docs/language.md', import.meta.url), 'utf8');
    const section = doc.slice(doc.indexOf(START), doc.indexOf(END));
    expect(section.length).toBeGreaterThan(0);
    expect(doc.split(START).length, 'one op reference').toBe(2);
    expect(doc, 'no second generated section').not.toMatch(/<!-- (op reference: generated|end of op reference)/);
    expect(section).toContain('#### Indexing and shape');
    expect(section).toContain('#### Linear algebra');
    for (const e of ENTRIES)
      expect(section).toContain(
        `| \`${signatureOf(e).replace(/\|/g, '\\|')}\` | ${e.doc.replace(/\|/g, '\\|')} | \`${backwardText(e).replace(/\|/g, '\\|')}\` |`,
      );
  });

  it('completion offers the ops after a tensor and a dot, and as names', () => {
    const s = createSession();
    s.run('x = ones(2, 2)', { stdout: () => {}, stderr: () => {}, display: () => {} });
    const after = completeAt('x.fl', 4, s).matches;
    expect(after).toContain('flip');
    for (const name of ['tril', 'cholesky', 'det', 'sort'])
      expect(completeAt(`x.${name.slice(0, 2)}`, 4, s).matches).toContain(name);
    expect(completeAt('eins', 4, s).matches).toContain('einsum');
  });

  it('methods are the builtins with the tensor first', () => {
    expect(
      numbersIn(printed('x = tensor([[1.0, 2.0], [3.0, 4.0]])\nprint(x.flip(0), x.tril(), x.det(), x.trace())')),
    ).toEqual([3, 4, 1, 2, 1, 0, 3, 4, -2, 5]);
    expect(
      numbersIn(printed('A = tensor([[4.0, 2.0], [2.0, 5.0]])\nprint(A.cholesky(upper=true), cholesky(A).T)')),
    ).toEqual([2, 1, 0, 2, 2, 1, 0, 2]);
    expect(printed('x = tensor([3.0, 1.0, 2.0])\nv, i = x.sort()\nprint(v, i)')).toMatch(
      /tensor\(\[1\., 2\., 3\.\]\).*tensor\(\[1\., 2\., 0\.\]\)/,
    );
  });

  it('einsum takes its operands as arguments or as one list, as PyTorch does', () => {
    expect(
      printed(
        'a = tensor([[1.0, 2.0], [3.0, 4.0]])\nprint(einsum("ij,jk", [a, a]) == einsum("ij,jk", a, a), einsum("ij,jk", (a, a)) == a @ a)',
      ),
    ).toMatch(/^tensor\(\[\[true, true\],\s+\[true, true\]\]\) tensor\(\[\[true, true\],\s+\[true, true\]\]\)/);
  });

  it("sort's indices feed gather and take_along_axis back", () => {
    expect(
      printed(
        'x = randn(3, 4, seed=1)\nv, i = sort(x, axis=1)\nprint(sum(abs(gather(x, 1, i) - v)) == 0, sum(abs(take_along_axis(x, i, axis=1) - v)) == 0)',
      ),
    ).toBe('tensor(true) tensor(true)\n');
  });

  it("explain prints the linear-algebra rules, with PyTorch's grad_fn names", () => {
    const out = printed(
      'A = tensor([[4.0, 1.0], [2.0, 3.0]], requires_grad=true)\nL = det(A) + sum(inv(A))\nexplain L\nprint(det(A).grad_fn, solve(A, ones(2)).grad_fn, cholesky(A @ A.T).grad_fn, formula(det(A), A))',
    );
    expect(out).toContain("dL/dA = dL/d(det(A)) * conj(det(A)) * inv(A)'");
    expect(out).toMatch(/-inv\(A\)' @ dL\/d\(inv\(A\)\) @ inv\(A\)'/);
    expect(out).toContain("<LinalgDetBackward0> <ViewBackward0> <LinalgCholeskyExBackward0> det(A)*inv(A)'");
  });

  it('several results come back as a tuple', () => {
    expect(printed('r = topk(tensor([1.0, 5.0, 3.0]), 2)\nprint(len(r), r[0], r[1])')).toMatch(
      /^2 tensor\(\[5\., 3\.\]\) tensor\(\[1\., 2\.\]\)/,
    );
  });

  it('refuses unknown keywords and wrong arity with the parameter list', () => {
    expect(fails('sort(ones(3), dim=0)')).toMatch(/sort\(\) has no parameter named 'dim'.*axis/);
    expect(fails('flip(ones(3))')).toMatch(/flip\(\) is missing its argument 'dims'/);
    expect(fails('trace(ones(2, 2), 1)')).toMatch(/trace\(\) takes 1 argument but 2 were given/);
    expect(fails('einsum("ij", ones(2, 2), axis=1)')).toMatch(/einsum\(\) has no parameter named 'axis'/);
  });

  it('refuses the wrong kind of argument with a sentence naming the parameter', () => {
    expect(fails('sort(ones(3), descending=1)')).toMatch(/sort: 'descending' must be true or false, got a number/);
    expect(fails('einsum(1, ones(2))')).toMatch(/einsum: 'equation' must be a string/);
    expect(fails('gather(ones(2, 2), 1, "a")')).toMatch(
      /gather: 'index' must be a tensor or a list of whole numbers, got a string/,
    );
    expect(fails('gather(ones(2, 2), 1, [[0.5, 1]])')).toMatch(/whole numbers, got 0.5/);
    expect(fails('roll(ones(3), 1.5)')).toMatch(/roll: .*whole number/);
    expect(fails('pad(ones(3), [1, 1], mode="wrap")')).toMatch(
      /mode 'wrap' is not one of constant, reflect, replicate, circular/,
    );
  });

  it('refuses bad shapes and indices with the shapes and what to do', () => {
    expect(fails('solve(eye(3), ones(2))')).toMatch(/ShapeError: solve: A has shape \[3, 3\], so B needs 3 rows/);
    expect(fails('det(ones(2, 3))')).toMatch(/det: needs a square matrix .* got shape \[2, 3\]/);
    expect(fails('topk(ones(3), 4)')).toMatch(/topk: k = 4 must be a whole number between 0 and 3/);
    expect(fails('index_select(ones(3), 0, [3])')).toMatch(/index 3 is out of range for axis 0 of size 3/);
    expect(fails('einsum("ij,jk", ones(2, 2))')).toMatch(/einsum: 'ij,jk' has 2 input terms but 1 operand was given/);
    expect(fails('einsum("i..j...", ones(2, 2))')).toMatch(/einsum: term 1 .* contains '\.'|more than one '\.\.\.'/);
    expect(fails('einsum("ij->k", ones(2, 2))')).toMatch(/output letter 'k' does not appear/);
    expect(fails('einsum("ijk", ones(2, 2))')).toMatch(/names 3 axes but operand 1 has shape \[2, 2\]/);
    expect(fails('diag(ones(2, 2, 2))')).toMatch(/diag: needs a vector or a matrix, got shape \[2, 2, 2\]/);
    expect(fails('repeat_interleave(ones(3), [1, 2])')).toMatch(/2 repeats for axis 0 of size 3/);
    expect(fails('pad(ones(3), [3, 0], mode="reflect")')).toMatch(
      /mode 'reflect' needs each width at most the size - 1/,
    );
    expect(fails('scatter_add(ones(2), 0, [[0]], ones(1))')).toMatch(/must have the same rank/);
  });

  it('small arguments that ask for huge results are refused before allocating', () => {
    expect(fails('tile(ones(2), [100000, 100000])')).toMatch(
      /ShapeError: tile: the result would have shape \[100000, 200000\].*use smaller sizes/,
    );
    expect(fails('repeat_interleave(ones(3), 100000000)')).toMatch(
      /repeat_interleave: the result would have shape \[300000000\]/,
    );
    expect(fails('pad(ones(2), [0, 1000000000])')).toMatch(/pad: the result would have/);
    expect(fails('x = ones(3000)\neinsum("i,j,k->ijk", x, x, x)')).toMatch(
      /einsum: an intermediate product would have shape \[3000, 3000, 3000\]|einsum: .*would have shape/,
    );
    expect(fails('det(zeros(2000, 2000))')).toMatch(/det: factors matrices up to 1024×1024 on the host/);
  });

  it('a deeply nested index list gets a sentence, not a crash', () => {
    let deep = '0';
    for (let i = 0; i < 40; i++) deep = `[${deep}]`;
    expect(fails(`gather(ones(2), 0, ${deep})`)).toMatch(
      /gather: the index has rank 40 but the input \[2\] has rank 1/,
    );
  });
});
