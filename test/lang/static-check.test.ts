import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createSession } from '../../compiler';
import { checkSource } from '../../compiler/check';
import { errorCorpus } from './error-corpus';
import { runNabla } from './run';

/** `nabla check` finds, without running anything, what can be known statically (issue 13, item 6). */
const root = fileURLToPath(new URL('../..', import.meta.url));
const builtins = createSession().builtins;
const problems = (source: string) =>
  checkSource(source, 'test.nabla', builtins).map((d) => `${d.span.start.line}:${d.span.start.col}: ${d.message}`);

describe('the static checker', () => {
  it('finds undefined names with a did-you-mean that ranks transpositions, and Python spellings', () => {
    expect(problems('x = 1\ny = tahn(x)\nif True { print(None) }')).toEqual([
      "2:5: 'tahn' is not defined; did you mean 'tanh' or 'tan'?",
      "3:4: 'True' is Python's spelling; Nabla writes 'true'",
      "3:17: 'None' is Python's spelling; Nabla writes 'none'",
    ]);
  });

  it("checks keywords and counts of builtins, of the program's own functions and of methods whose object is known", () => {
    expect(
      problems(`x = param([1.0, 2.0])
with tape() as t {
  watch(x)
  z = sum(x * 3)
}
g = t.gradient(z, x, output_gradient=tensor([2.0]))
opt = adam([x], lr=0.1)
opt.step(1, 2, 3)
fn f(a, b=1) = a + b
f(1, 2, 3)
f(c=2)
sum(x, dim=0)
x.backward(retain=true)
opt.lr2`),
    ).toEqual([
      "6:22: tape.gradient() has no parameter named 'output_gradient'; did you mean 'output_gradients'? (its parameters: target, sources, output_gradients, unconnected)",
      '8:1: optimizer.step() takes at most 1 argument but 3 were given',
      '10:1: f() takes at most 2 arguments but 3 were given',
      "11:1: f() is missing its argument 'a'",
      "11:3: f() has no parameter named 'c' (its parameters: a, b)",
      "12:8: sum() has no parameter named 'dim'; did you mean 'axis'? (its parameters: x, axis, keepdim)",
      "13:12: tensor.backward() has no parameter named 'retain'; did you mean 'retain_graph'? (its parameters: gradient, retain_graph, create_graph, inputs)",
      "14:1: an optimizer has no attribute 'lr2'; did you mean 'lr'?",
    ]);
  });

  it("knows the kinds schedules, L-BFGS and a known builtin's own call return", () => {
    expect(
      problems(`x = param([1.0])
opt = lbfgs([x])
opt.stop_reasn
sched = step_lr(adam([x]), 10)
sched.step(1)
plateau = reduce_on_plateau(sgd([x], lr=0.1))
plateau.step(mterics=1)
ones(2).double(1)
ones(2).to(type="float64")
sum(x).flip(dim=0)`),
    ).toEqual([
      "3:1: an optimizer has no attribute 'stop_reasn'; did you mean 'stop_reason'?",
      '5:1: schedule.step() takes no arguments but 1 was given',
      "7:1: reduce_on_plateau.step() is missing its argument 'metrics'",
      "7:14: reduce_on_plateau.step() has no parameter named 'mterics'; did you mean 'metrics'? (its parameters: metrics)",
      '8:1: tensor.double() takes no arguments but 1 was given',
      "9:1: tensor.to() is missing its argument 'dtype'",
      "9:12: tensor.to() has no parameter named 'type'; did you mean 'dtype'? (its parameters: dtype)",
      "10:1: x.flip() is missing its argument 'dims'",
      "10:13: x.flip() has no parameter named 'dim'; did you mean 'dims'? (its parameters: dims)",
    ]);
  });

  it('a run says the same about a Python spelling', () => {
    const r = runNabla('x = True');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.evalue).toBe("'True' is Python's spelling; Nabla writes 'true'");
  });

  it('finds break/continue outside a loop and return outside a function, but not inside', () => {
    expect(
      problems(
        'break\nfor i in range(2) { continue }\nfn f(x) {\n  while true { break }\n  return x\n}\nreturn 1\nfn g() { break }',
      ),
    ).toEqual([
      "1:1: 'break' belongs inside a loop (for or while)",
      "7:1: 'return' is allowed only inside a function",
      "8:10: 'break' belongs inside a loop (for or while)",
    ]);
  });

  it('adds the Nabla form to a syntax error on a line written the Python way', () => {
    expect(problems('def f(x):\n  return x')[0]).toMatch(
      /Nabla defines a function with fn: `fn name\(x\) \{ \.\.\. \}`/,
    );
    expect(problems('x = 1\nif x > 0 {\n  x = 2\n} elif x < 0 {\n  x = 3\n}')[0]).toMatch(/Nabla writes 'else if'/);
    expect(problems('assert x > 0, "m"')[0]).toMatch(/assert is a function here/);
  });

  it('is silent where a name may be bound at run time: later globals, locals, parameters, map keys, known globals', () => {
    expect(
      problems(
        'fn f() = later + 1\nlater = 2\nf()\nfn g(h) = h(1, 2, 3, k=1)\nm = {lr: 1}\nfor k, v in m { print(k, v) }',
      ),
    ).toEqual([]);
    expect(checkSource('print(x)', 'cell', builtins, { knownGlobals: ['x'] })).toEqual([]);
  });

  it('reports no problem in the docs examples, the examples, the PDE scripts and the notebooks', () => {
    const sources: [string, string][] = [];
    const md = readFileSync(join(root, 'docs/language.md'), 'utf8');
    for (const m of md.matchAll(/```nabla\n([\s\S]*?)```/g)) sources.push(['docs/language.md', m[1]]);
    for (const f of ['examples/demo.nabla', 'notebooks/explain.nabla', 'notebooks/pde/heat.nabla'])
      sources.push([f, readFileSync(join(root, f), 'utf8')]);
    for (const dir of ['notebooks', 'notebooks/exercises', 'notebooks/pde']) {
      for (const f of readdirSync(join(root, dir)).filter((n) => n.endsWith('.ipynb'))) {
        const nb = JSON.parse(readFileSync(join(root, dir, f), 'utf8')) as {
          metadata?: { kernelspec?: { language?: string } };
          cells: { cell_type: string; source: string | string[] }[];
        };
        if (nb.metadata?.kernelspec?.language !== 'nabla') continue; // the TypeScript notebook
        const code = nb.cells
          .filter((c) => c.cell_type === 'code')
          .map((c) => (Array.isArray(c.source) ? c.source.join('') : c.source));
        // a notebook's cells run in one session: together they are one program
        sources.push([`${dir}/${f}`, code.join('\n')]);
      }
    }
    expect(sources.length).toBeGreaterThan(40);
    const found = sources.flatMap(([f, s]) => problems(s).map((p) => `${f}: ${p}`));
    expect(found).toEqual([]);
  });
});

/** Errors a checker can know without running: names, argument binding, syntax, control flow. */
const STATIC =
  /is not defined|has no parameter named|takes (no|at most|\d)|is missing its argument|got two values|belongs inside a loop|only inside a function|Python's spelling/;

describe("the suite's error programs", () => {
  it('nabla check finds every one whose error is knowable without running, at its line', () => {
    const corpus = errorCorpus();
    const knowable = corpus.filter((c) => STATIC.test(c.evalue));
    const missed: string[] = [];
    let foundAll = 0;
    for (const c of corpus) {
      const found = problems(c.source);
      if (found.length) foundAll++;
      if (STATIC.test(c.evalue) && !found.length) missed.push(`${c.from}: ${c.evalue}\n${c.source}`);
    }
    console.log(
      `nabla check: ${knowable.length - missed.length} of ${knowable.length} statically knowable error programs found; ${foundAll} of all ${corpus.length} error programs of the suite flagged without running`,
    );
    expect(missed).toEqual([]);
    expect(knowable.length).toBeGreaterThan(50);
  }, 120_000);
});

describe('nabla check on the command line', () => {
  it('reports every problem with its place, exits non-zero, and never runs the program', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nabla-check-'));
    const file = join(dir, 'bad.nabla');
    writeFileSync(file, 'print("this ran")\ny = tahn(1)\nsum([1.0], dim=0)\n');
    const r = spawnSync(process.execPath, ['bin/nabla.mjs', 'check', file], { cwd: root, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).not.toContain('this ran');
    expect(r.stderr).toContain(`${file}:2:5: error: 'tahn' is not defined; did you mean 'tanh' or 'tan'?`);
    expect(r.stderr).toContain(`${file}:3:12: error: sum() has no parameter named 'dim'; did you mean 'axis'?`);
    expect(r.stderr).toContain(`${file}: 2 problems found without running it`);
    const ok = join(dir, 'ok.nabla');
    writeFileSync(ok, 'x = param([1.0])\nprint(grad(sum(x^2), x))\n');
    const r2 = spawnSync(process.execPath, ['bin/nabla.mjs', 'check', ok], { cwd: root, encoding: 'utf8' });
    expect(r2.status).toBe(0);
    expect(r2.stdout).toBe(`${ok}: ok\n`);
  }, 60_000);
});
