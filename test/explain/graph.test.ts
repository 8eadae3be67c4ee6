import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadGraphviz } from '../../runtime/explain';
import { renderInChildProcess } from '../../runtime/explain/graphviz';
import { runNabla } from '../lang/run';

/** graph(L): the recorded graph laid out by Graphviz (wasm), as SVG, with nodes named after source lines. */
const MIME_BUNDLE = Symbol.for('nabla.mimeBundle');

/** Every <text> in the SVG, in document order. */
function texts(svg: string): string[] {
  const doc = new XMLParser({ ignoreAttributes: false, htmlEntities: true }).parse(svg);
  const out: string[] = [];
  const walk = (v: unknown, key = ''): void => {
    if (Array.isArray(v)) return v.forEach((x) => walk(x, key));
    if (key === 'text')
      out.push(typeof v === 'object' && v !== null ? String((v as Record<string, unknown>)['#text'] ?? '') : String(v));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  walk(doc);
  return out;
}

const LAYER = `W = complex([[1, 2], [0, -1], [3, 1]], [[1, 0], [2, 1], [-1, 1]])
I = complex([[1, -1], [2, 0]], [[0, 1], [1, -2]])
watch(I)
Y = W @ I
L = sum(abs(Y)^2)
`;

describe('graph(L)', () => {
  beforeAll(() => loadGraphviz());

  it('is an SVG (valid XML) whose nodes carry the source variables, lines and ops, and whose edges carry the formulas', () => {
    const r = runNabla(LAYER + 'g = graph(L)\ng');
    if (!r.ok) throw new Error(r.traceback.join('\n'));
    expect(r.value!['text/plain']).toBe('<graph: 4 operations, 1 input>');
    const g = r.session.lookup('g') as { [MIME_BUNDLE](): Record<string, string> };
    const bundle = g[MIME_BUNDLE]();
    const svg = bundle['image/svg+xml'];
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(new XMLParser().parse(svg).svg).toBeDefined();
    const labels = texts(svg);
    for (const want of [
      'L = sum(abs(Y)^2)',
      'sum · line 5',
      'abs(Y)^2',
      'pow · line 5',
      'abs(Y)',
      'abs · line 5',
      'Y = W @ I',
      'matmul · line 4',
      'I',
      '[2, 2] · line 2',
      'W',
      '[3, 2] constant',
    ]) {
      expect(labels).toContain(want);
    }
    expect(labels).toContain("dL/dI = W' @ dL/dY");
    expect(bundle['text/plain']).toBe('<graph: 4 operations, 1 input>');
  });

  it('follows user functions and names their locals', () => {
    const r = runNabla(
      'z = param([0.5, -1.0])\nfn layer(v) {\n  h = tanh(v)\n  h * 2\n}\nL = sum(layer(z))\ng = graph(L, formulas=false)\ng',
    );
    if (!r.ok) throw new Error(r.traceback.join('\n'));
    expect(r.value!['text/plain']).toBe('<graph: 3 operations, 1 input>');
    const svg = (r.session.lookup('g') as { svg: string }).svg;
    const labels = texts(svg);
    for (const want of ['L = sum(layer(z))', 'h * 2', 'mul · line 4', 'h = tanh(v)', 'tanh · line 3', 'z'])
      expect(labels).toContain(want);
    expect(labels.some((l) => l.includes(' = dL/'))).toBe(false);
  });

  it('renders before the wasm instance is ready, in a child process (the CLI runs scripts before any await)', () => {
    const svg = renderInChildProcess('digraph { a [label="y = x1^2"]; a -> b }');
    expect(svg).not.toBeNull();
    expect(XMLValidator.validate(svg!)).toBe(true);
    expect(texts(svg!)).toContain('y = x1^2');
  });

  it("is shown inline as SVG by the kernel's display bundles", async () => {
    const { valueBundle } = await import('../../display');
    const { createSession } = await import('../../compiler');
    const r = runNabla(LAYER + 'graph(L)', createSession({ mime: valueBundle }));
    if (!r.ok) throw new Error(r.traceback.join('\n'));
    expect(Object.keys(r.value!).sort()).toEqual(['image/svg+xml', 'text/plain']);
    expect(texts(String(r.value!['image/svg+xml']))).toContain('Y = W @ I');
  });

  it('writes a file with file= (as from the CLI)', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'nabla-graph-')), 'g.svg');
    const r = runNabla(LAYER + `print(graph(L, file=${JSON.stringify(path)}))`);
    if (!r.ok) throw new Error(r.traceback.join('\n'));
    expect(r.stdout).toBe(`<graph: 4 operations, 1 input, written to ${path}>\n`);
    const svg = readFileSync(path, 'utf8');
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(texts(svg)).toContain('Y = W @ I');
  });

  it('says why when there is no graph', () => {
    const r = runNabla('x = tensor([1.0])\ngraph(x * 2)');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.evalue).toMatch(/^graph: the output does not require grad/);
  });
});
