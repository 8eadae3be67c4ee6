import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSession, type MimeBundle, type Output } from '../../compiler';
import { loadCharts, valueBundle, VEGALITE_MIME } from '../../display';

interface Shown {
  bundle: MimeBundle;
  displayId?: string;
  update?: boolean;
  final?: boolean;
}

/** Runs a cell with an Output that records everything, including the optional clear/input hooks. */
function run(code: string, extra: Partial<Output> = {}) {
  const shown: Shown[] = [];
  let stdout = '';
  let stderr = '';
  const session = createSession({ mime: valueBundle });
  const r = session.run(code, {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    display: (bundle, o = {}) => void shown.push({ bundle, ...o }),
    ...extra,
  });
  return { r, shown, stdout, stderr };
}

type Datum = { x: number; y: number; series: string };
const dataOf = (b: MimeBundle) => (b[VEGALITE_MIME] as { data: { values: Datum[] } }).data.values;

beforeAll(() => loadCharts());

describe('plot and scatter', () => {
  it('display a Vega-Lite chart of the given numbers with an SVG fallback', () => {
    const { r, shown } = run('x = linspace(0, 1, 5)\nplot(x, x^2, label="sq", title="squares")');
    expect(r.ok).toBe(true);
    expect(shown).toHaveLength(1);
    const b = shown[0].bundle;
    expect(dataOf(b).map((d) => d.y)).toEqual([0, 0.0625, 0.25, 0.5625, 1]);
    expect(dataOf(b).every((d) => d.series === 'sq')).toBe(true);
    expect(b['image/svg+xml']).toMatch(/^<svg/);
    expect(b['text/plain']).toBe('<line chart "squares": sq: 5 points>');
  });

  it('plot(values) counts x from 0; several series get their labels', () => {
    const one = run('plot([3, 1, 2])').shown[0].bundle;
    expect(dataOf(one).map((d) => [d.x, d.y])).toEqual([
      [0, 3],
      [1, 1],
      [2, 2],
    ]);
    const two = run('x = linspace(0, 1, 3)\nplot(x, [x, 2 * x], label=["a", "b"])').shown[0].bundle;
    expect(dataOf(two).map((d) => `${d.series}:${d.y}`)).toEqual(['a:0', 'a:0.5', 'a:1', 'b:0', 'b:1', 'b:2']);
  });

  it('writes the SVG with file=', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'nabla-plot-')), 'p.svg');
    const { r } = run(`scatter([1, 2, 3], [4, 5, 6], file="${file}")`);
    expect(r.ok).toBe(true);
    expect(readFileSync(file, 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>$/);
    const unwritable = run(`plot([1, 2], file="${file}/no/such/dir.svg")`).r;
    expect(unwritable.ok).toBe(false);
    if (!unwritable.ok)
      expect(`${unwritable.ename}: ${unwritable.evalue}`).toMatch(
        /^ValueError: plot: could not write .*no\/such\/dir\.svg/,
      );
  });

  it('say which argument is wrong', () => {
    const bad = run('plot([1, 2], [1, 2, 3])').r;
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.evalue).toMatch(/x has 2 values but y has 3/);
    const label = run('plot([1, 2], label=3)').r;
    expect(label.ok).toBe(false);
    if (!label.ok) expect(label.evalue).toMatch(/label= must be a string/);
  });
});

describe('progress', () => {
  it('shows a bar under one display id, updated in place and finished once', () => {
    const { r, shown, stdout } = run('for i in progress(range(4), label="steps") { print(i) }');
    expect(r.ok).toBe(true);
    expect(stdout).toBe('0\n1\n2\n3\n');
    const ids = new Set(shown.map((s) => s.displayId));
    expect(ids.size).toBe(1);
    expect(shown[0].update).toBeFalsy();
    const last = shown[shown.length - 1];
    expect(last.update && last.final).toBe(true);
    expect(String(last.bundle['text/plain'])).toMatch(/^steps 100% .* 4\/4/);
  });

  it('marks a loop left early as stopped', () => {
    const { shown } = run('for i in progress([1, 2, 3]) { if i == 2 { break } }');
    expect(String(shown[shown.length - 1].bundle['text/plain'])).toMatch(/\(stopped\) +33% .* 1\/3/);
  });
});

describe('display, eprint, clear_output, input', () => {
  it('display shows a tensor as a table at once; eprint writes to stderr', () => {
    const { shown, stdout, stderr } = run('display(ones(2))\neprint("careful", 3)\nprint("after")');
    expect(shown[0].bundle['text/html']).toMatch(/<table/);
    expect(stderr).toBe('careful 3\n');
    expect(stdout).toBe('after\n');
  });

  it('clear_output and input reach the front end', () => {
    const cleared: boolean[] = [];
    const { r } = run('name = input("who? ")\nclear_output(wait=true)\nprint("hi " + name)', {
      clearOutput: (wait) => void cleared.push(!!wait),
      input: (prompt) => (prompt === 'who? ' ? 'ada' : '?'),
    });
    expect(r.ok).toBe(true);
    expect(cleared).toEqual([true]);
    const asked = run('input("x")');
    expect(asked.r.ok).toBe(false);
    if (!asked.r.ok) expect(asked.r.evalue).toMatch(/cannot ask for input/);
  });
});
