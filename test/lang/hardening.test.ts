// Bad input never crashes (issue 18): huge sizes are refused before anything is allocated, with the size and
// the limit named; long flat chains get a positioned error instead of a JavaScript stack overflow; run()
// never throws; tensor memory counts against a front end's limit; and the smaller cases of the issue.
import { afterEach, describe, expect, it } from 'vitest';
import { createSession } from '../../compiler';
import { checkSource } from '../../compiler/check';
import { MAX_NESTING } from '../../compiler/depth';
import { parse, renderDiagnostic } from '../../grammar';
import { MAX_ELEMENTS, setTensorMemoryLimit } from '../../runtime';

const quiet = { stdout: () => {}, stderr: () => {}, display: () => {} };
const run = (code: string) => createSession().run(code, quiet, { file: 'cell' });
const JS_TEXT = /RangeError|Maximum call stack|internal error|bug in Nabla|\bat .*:\d+:\d+\)/;

describe('sizes', () => {
  const limit = MAX_ELEMENTS.toLocaleString('en-US');
  it.each([
    ['zeros(100000, 100000)', 'zeros', '10,000,000,000'],
    ['ones(65536, 65536)', 'ones', '4,294,967,296'],
    ['eye(100000)', 'eye', '10,000,000,000'],
    ['arange(1e10)', 'arange', '10,000,000,000'],
    ['arange(9007199254740993)', 'arange', '9,007,199,254,740,992'],
    ['linspace(0, 1, 2147483648)', 'linspace', '2,147,483,648'],
    ['randn(50000, 50000)', 'randn', '2,500,000,000'],
    ['rand(50000, 50000)', 'rand', '2,500,000,000'],
    ['full([30000, 30000], 1.0)', 'full', '900,000,000'],
    ['outer(ones(100000), ones(100000))', 'mul', '10,000,000,000'],
    ['ones(30000, 1) @ ones(1, 30000)', 'matmul', '900,000,000'],
    ['ones(30000, 1) + ones(1, 30000)', 'add', '900,000,000'],
  ])('%s is refused before allocating, naming the size and the limit', (code, op, size) => {
    const r = run(code);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.ename).toBe('ValueError');
    expect(r.evalue).toContain(`${op}: a tensor of shape`);
    expect(r.evalue).toContain(`has ${size} elements, past the limit of ${limit} (2^28) elements`);
    expect(r.traceback[0]).toMatch(/^cell:1:\d+: /);
  });

  it('linspace with a negative count is a clear error', () => {
    const r = run('linspace(0, 1, -5)');
    expect(r.ok ? null : r.evalue).toBe('linspace: the number of points must be a whole number ≥ 0, got -5');
  });

  it('strings and lists are bounded when repeated or doubled', () => {
    for (const [code, want] of [
      ['"ab" * 2^40', /\*: the string would have 2,199,023,255,552 characters, past the limit of 67,108,864/],
      [
        's = "ab"\nfor i in range(40) { s = s + s }',
        /\+: the string would have 134,217,728 characters, past the limit/,
      ],
      ['["a", "b"] * 2^40', /\*: the list would have 2,199,023,255,552 items/],
      ['"ab" * -1', /a string repeats a whole number of times ≥ 0, not -1/],
    ] as const) {
      const r = run(code);
      expect(r.ok ? 'ran' : r.evalue, code).toMatch(want);
    }
    expect(run('"ab" * 3').ok && run('"ab" * 3')).toMatchObject({ value: { 'text/plain': '"ababab"' } });
  });

  it('an empty tensor keeps its shape through param and tensor', () => {
    for (const code of ['param(zeros(0, 3)).shape', 'tensor(zeros(0, 3)).shape', 'param(zeros(2, 0, 4)).shape']) {
      const r = run(code);
      expect(r.ok && String(r.value?.['text/plain']), code).toBe(code.includes('2, 0, 4') ? '[2, 0, 4]' : '[0, 3]');
    }
    const r = run('p = param(zeros(0, 3))\np.requires_grad');
    expect(r.ok && r.value?.['text/plain']).toBe('true');
  });
});

describe('tensor memory against a limit', () => {
  afterEach(() => setTensorMemoryLimit(null));

  it('refuses an allocation that would take tensor memory past the limit, and allows it under', () => {
    let used = 100 * 2 ** 20;
    setTensorMemoryLimit(200 * 2 ** 20, () => used, 'the test limit');
    expect(run('x = zeros(20000000)').ok).toBe(true); // 80 MB: under
    used = 150 * 2 ** 20;
    const r = run('y = zeros(20000000)');
    expect(r.ok ? 'ran' : r.evalue).toMatch(
      /zeros: a tensor of 76\.?\d* MB would take tensor memory to 2\d\d MB, past the test limit of 200 MB; delete tensors/,
    );
    // results of ops are counted too
    const s = createSession();
    used = 100 * 2 ** 20;
    expect(s.run('a = ones(12000000)', quiet).ok).toBe(true);
    used = 180 * 2 ** 20;
    const add = s.run('a + a', quiet);
    expect(add.ok ? 'ran' : add.evalue).toMatch(/^add: a tensor of .* MB would take tensor memory/);
  });
});

describe('long chains', () => {
  it.each([
    ['1+1+…+1, 3,100 terms', `x = ${'1+'.repeat(3100)}1`],
    ['8,000 unary minus', `x = ${'-'.repeat(8000)}1`],
    ['5,000 chained [0]', `x = [1]${'[0]'.repeat(5000)}`],
    ['3,000 chained calls', `fn f() = f\nx = f${'()'.repeat(3000)}`],
    ['8,000 chained .T', `x = ones(2, 2)${'.T'.repeat(8000)}`],
  ])('%s: a positioned SyntaxError from run and from check, never a JS error', (_label, code) => {
    const r = run(code);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.ename).toBe('SyntaxError');
    expect(r.evalue).toMatch(new RegExp(`nests more than ${MAX_NESTING} levels deep .*split it into smaller pieces`));
    expect(r.traceback[0]).toMatch(/^cell:\d+:\d+: /);
    expect(r.traceback.join('\n')).not.toMatch(JS_TEXT);
    const msgs = checkSource(code, 'f.nabla', createSession().builtins).map((d) =>
      renderDiagnostic(d, code, 'f.nabla'),
    );
    expect(msgs.join('\n')).toMatch(/^f\.nabla:\d+:\d+: .*nests more than/);
  });

  it('a chain under the limit still runs', () => {
    const r = run(`x = ${'1+'.repeat(500)}1\nx`);
    expect(r.ok && r.value?.['text/plain']).toBe('501');
  });

  it('the session answers after each, with its variables', () => {
    const s = createSession();
    s.run('kept = 41', quiet);
    for (const code of [
      `x = ${'1+'.repeat(5000)}1`,
      `x = ${'('.repeat(5000)}1${')'.repeat(5000)}`,
      '{a: '.repeat(22500),
    ]) {
      const r = s.run(code, quiet);
      expect(r.ok).toBe(false);
      expect(r.ok ? '' : r.traceback.join('\n')).not.toMatch(JS_TEXT);
    }
    const after = s.run('kept + 1', quiet);
    expect(after.ok && after.value?.['text/plain']).toBe('42');
  });
});

describe('large sources', () => {
  it('a 10 MB string literal parses (it is not "nested too deeply")', () => {
    const { diagnostics } = parse(`x = "${'a'.repeat(10_000_000)}"`);
    expect(diagnostics).toEqual([]);
    const r = run(`s = "${'ab'.repeat(500_000)}"\nlen(s)`);
    expect(r.ok && r.value?.['text/plain']).toBe('1000000');
  });

  it('`{a: ` repeated 22,500 times is an error, with no JS text', () => {
    const { diagnostics } = parse('{a: '.repeat(22_500));
    expect(diagnostics.length).toBeGreaterThan(0);
    expect(diagnostics.map((d) => d.message).join('\n')).not.toMatch(JS_TEXT);
  });
});

describe('tracebacks and files', () => {
  it('shortens a deep recursion to a few frames and a count', () => {
    const r = run('fn f(n) = f(n + 1)\nf(0)');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.ename).toBe('RecursionError');
    expect(r.traceback.length).toBeLessThanOrEqual(8);
    expect(r.traceback.join('\n')).toMatch(/… \(\d{3,} more frames\)/);
    expect(r.traceback[r.traceback.length - 1]).toMatch(/^cell:2:1: note: called from here/);
    expect(r.traceback.join('\n').length).toBeLessThan(2000);
  });

  it('graph(L, file="") fails as plot(..., file="") does', () => {
    for (const code of ['x = param([1.0, 2.0])\nL = sum(x * x)\ngraph(L, file="")', 'plot([1, 2, 3], file="")']) {
      const r = run(code);
      expect(r.ok ? 'ran' : r.evalue, code).toMatch(/(graph|plot): file= is empty; give a path/);
    }
  });
});
