// Every kind of error a user can meet is one Diagnostic (diagnostic/shape.ts), and its text is that shape
// rendered (diagnostic/render.ts): the traceback a Session returns is exactly the rendering of the diagnostics
// it returns beside it. The pinned texts are the formats the tests and users knew before the shape.
import { describe, expect, it } from 'vitest';
import { createSession, type RunResult } from '../../compiler';
import { diagnose } from '../../compiler/report';
import { failed, headline, placeless, renderAll, Reported, type Diagnostic } from '../../diagnostic';
import { Interrupted, NablaError } from '../../runtime';
import { bug as nbBug, gpuBug } from '../../runtime/errors';
import { probeBackend, knownBackendNames } from '../../runtime/devices';

const quiet = { stdout: () => {}, stderr: () => {}, display: () => {} };

function failure(r: RunResult): Extract<RunResult, { ok: false }> {
  if (r.ok) throw new Error('the run was expected to fail');
  return r;
}

/** Runs cells in one session; the last must fail. Returns its result and the sources by file. */
function runFailing(...cells: string[]) {
  const session = createSession();
  const sources = new Map<string, string>();
  let r: RunResult = { ok: true, value: null };
  cells.forEach((code, i) => {
    const file = `cell[${i + 1}]`;
    sources.set(file, code);
    r = session.run(code, quiet, { file });
  });
  return { r: failure(r), sourceOf: (f: string) => sources.get(f) };
}

/** The Session's text is the shape's rendering, and ename/evalue its headline. */
function expectRenderedFromShape(r: Extract<RunResult, { ok: false }>, sourceOf: (f: string) => string | undefined) {
  expect(r.diagnostics.length).toBeGreaterThan(0);
  expect(r.traceback).toEqual(renderAll(r.diagnostics, sourceOf));
  expect({ ename: r.ename, evalue: r.evalue }).toEqual(headline(r.diagnostics[0]));
}

describe('one error shape, one rendering', () => {
  it('a syntax error (grammar): compiler-style head, a caret under the place', () => {
    const { r, sourceOf } = runFailing('y = 1 +');
    expectRenderedFromShape(r, sourceOf);
    expect(r.ename).toBe('SyntaxError');
    expect(r.diagnostics[0].places).toEqual([{ file: 'cell[1]', line: 1, col: 7, endLine: 1, endCol: 8, label: '' }]);
    expect(r.traceback).toEqual(["cell[1]:1:7: error: expected an expression after '+'\n  y = 1 +\n        ^"]);
  });

  it('several syntax errors of one cell: one diagnostic each, in source order', () => {
    const { r, sourceOf } = runFailing('a = (1 +\nb = 2 *\n');
    expectRenderedFromShape(r, sourceOf);
    expect(r.diagnostics.length).toBe(r.traceback.length);
    expect(r.diagnostics.every((d) => d.kind === 'SyntaxError' && d.severity === 'error')).toBe(true);
  });

  it('a compile-time error (compiler): return outside a function', () => {
    const { r, sourceOf } = runFailing('x = 1\nreturn x');
    expectRenderedFromShape(r, sourceOf);
    expect(r.ename).toBe('SyntaxError');
    expect(r.diagnostics[0].places[0]).toMatchObject({ file: 'cell[1]', line: 2, col: 1 });
    expect(r.traceback[0]).toMatch(/^cell\[1\]:2:1: error: .*return.*\n  return x\n  \^$/);
  });

  it("a language error (LangError): Python-style head at the compiler's place", () => {
    const { r, sourceOf } = runFailing('x = 1\ny = x + nope');
    expectRenderedFromShape(r, sourceOf);
    expect(r.ename).toBe('NameError');
    expect(r.diagnostics[0].severity).toBeUndefined();
    expect(r.traceback[0].startsWith(`cell[1]:2:9: NameError: ${r.evalue}\n  y = x + nope\n          ^`)).toBe(true);
  });

  it('a runtime error (NablaError) inside a function: its place, then the caller as a note', () => {
    const { r, sourceOf } = runFailing('W = zeros(3, 2)\nfn f(x) = x @ W', 'z = f(zeros(2, 2))');
    expectRenderedFromShape(r, sourceOf);
    expect(r.ename).toBe('ShapeError');
    expect(r.diagnostics[0].places.map((p) => [p.file, p.line, p.col, p.label])).toEqual([
      ['cell[1]', 2, 11, ''],
      ['cell[2]', 1, 5, 'called from here'],
    ]);
    expect(r.traceback[1]).toBe('cell[2]:1:5: note: called from here\n  z = f(zeros(2, 2))\n      ^');
  });

  it('a deep recursion: RecursionError, the innermost and outermost callers, the rest counted', () => {
    const { r, sourceOf } = runFailing('fn f(n) = f(n + 1)\nf(1)');
    expectRenderedFromShape(r, sourceOf);
    expect(r.ename).toBe('RecursionError');
    expect(r.evalue).toBe('maximum recursion depth exceeded (a function calls itself without end?)');
    const d = r.diagnostics[0];
    expect(d.remedy).toBe('a function calls itself without end?');
    expect(d.omitted?.after).toBe(3);
    expect(d.omitted!.count).toBeGreaterThan(10);
    expect(d.places.length).toBe(1 + 6); // its place and 3 + 3 callers, not thousands
    expect(r.traceback[4]).toBe(`  … (${d.omitted!.count} more frames)`);
  });

  it('an interrupt, a bug in Nabla, and a placeless front-end error', () => {
    const site = { file: 'cell[1]', line: 1, col: 1 };
    const src = () => 'while true { }';
    const interrupted = failed([diagnose(new Interrupted(), site)], src);
    expect(interrupted.traceback).toEqual([
      'cell[1]:1:1: KeyboardInterrupt: interrupted by the user\n  while true { }\n  ^',
    ]);
    const bug = failed([diagnose(new Error('boom'), null)]);
    expect(bug.ename).toBe('InternalError');
    expect(bug.traceback).toEqual([
      'InternalError: internal error: boom (this is a bug in Nabla, not in your code; please report it with the cell that caused it)',
    ]);
    // a broken invariant thrown by the runtime is the same shape, said once (not "internal error: internal error")
    const invariant = failed([diagnose(nbBug('a fused input has no row/column strides'), null)]);
    expect(invariant.traceback).toEqual([
      'InternalError: internal error: a fused input has no row/column strides (this is a bug in Nabla, not in your code; please report it with the cell that caused it)',
    ]);
    const gpu = failed([diagnose(gpuBug("the gpu.js webgpu backend, kernel 'binary'", 'device lost'), null)]);
    expect(gpu.evalue.startsWith("internal error in the gpu.js webgpu backend, kernel 'binary': device lost (")).toBe(
      true,
    );
    expect(gpu.traceback[0]).toMatch(
      /\(this is a bug in Nabla, not in your code; .*; NABLA_BACKEND=js avoids it meanwhile\)$/,
    );
    const died = failed([placeless('InterpreterDied', 'the interpreter stopped')]);
    expect(died).toEqual({
      ok: false,
      ename: 'InterpreterDied',
      evalue: 'the interpreter stopped',
      traceback: ['InterpreterDied: the interpreter stopped'],
      diagnostics: [{ kind: 'InterpreterDied', message: 'the interpreter stopped', places: [], notes: [] }],
    });
  });

  it('every carrier exposes the shape: NablaError with its site, Reported as given; notes render under the error', () => {
    const e = new NablaError('matmul: no', 'matmul', 'ShapeError');
    e.site = { file: 'f', line: 2, col: 3 };
    expect(diagnose(e, { file: 'g', line: 9, col: 9 }).places).toEqual([{ file: 'f', line: 2, col: 3, label: '' }]);
    const given: Diagnostic = {
      kind: 'ValueError',
      message: 'input: no',
      places: [],
      notes: ['the front end did not answer'],
    };
    expect(diagnose(new Reported(given), null)).toEqual(given);
    expect(renderAll([given], () => undefined)).toEqual([
      'ValueError: input: no',
      'note: the front end did not answer',
    ]);
    // a place whose source is unknown is one line
    expect(
      renderAll([{ ...given, notes: [], places: [{ file: 'x', line: 1, col: 2, label: '' }] }], () => undefined),
    ).toEqual(['x:1:2: ValueError: input: no']);
  });
});

describe('backend probes are data', () => {
  it('says for each known backend whether it runs here and why not, without selecting it', () => {
    for (const name of knownBackendNames()) {
      const p = probeBackend(name);
      expect(p.backend).toBe(name);
      expect(p.ok ? p.reason : typeof p.reason).toBe(p.ok ? null : 'string');
    }
    expect(probeBackend('js')).toEqual({ backend: 'js', ok: true, registered: true, reason: null });
    // registered in Node too, where its probe says why not
    expect(probeBackend('webgl2')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^WebGL2 exists only in browsers/),
    });
    expect(probeBackend('nope')).toMatchObject({ ok: false, registered: false });
  });
});
