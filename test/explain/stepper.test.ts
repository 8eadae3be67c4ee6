import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STEPS_MIME, stepperHtml, valueBundle, type StepsPayload } from '../../display';
import { loadGraphviz } from '../../runtime/explain';
import { runNabla } from '../lang/run';
import { listingBlocks, stepAsBlock } from './listing';

/**
 * stepper(L): the backward pass as steps, recorded from the engine. Each step must say what explain's
 * listing of the same pass says, in the same order; sums over paths must show as partial, then whole.
 */
function payloadOf(
  code: string,
  name = 's',
): {
  payload: StepsPayload;
  bundle: Record<string, unknown>;
  stdout: string;
  session: ReturnType<typeof runNabla>['session'];
} {
  const r = runNabla(code);
  if (!r.ok) throw new Error(r.traceback.join('\n'));
  const bundle = valueBundle(r.session.lookup(name))!;
  return { payload: bundle[STEPS_MIME] as StepsPayload, bundle, stdout: r.stdout, session: r.session };
}

const TWO_PATHS = `x = param([1.0, 2.0])
w = param([0.5, -1.0])
h = tanh(x * w)
L = sum(h * h + 3 * h)
`;

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'nabla-stepper-'));
  return loadGraphviz();
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('stepper(L)', () => {
  it("walks the ops in explain's order, each step saying what explain says", () => {
    const { payload } = payloadOf(TWO_PATHS + 's = stepper(L)');
    const explained = runNabla(TWO_PATHS + 'explain L');
    expect(explained.ok).toBe(true);
    const blocks = listingBlocks(explained.stdout);
    const ops = payload.steps.steps.filter((s) => payload.steps.nodes[s.node]?.kind === 'op');
    expect(blocks.length).toBe(6);
    expect(ops.map(stepAsBlock)).toEqual(blocks);
    // and the plain-text form is that listing
    expect(listingBlocks(payload.steps.listing)).toEqual(blocks);
  });

  it("shows a sum over paths as partial after the first and whole after the last, equal to the engine's sum", () => {
    const { payload } = payloadOf(TWO_PATHS + 's = stepper(L)');
    const h = Object.entries(payload.steps.nodes).find(([, n]) => n.label === 'h')![0];
    const writes = payload.steps.steps.filter((s) => h in s.grads).map((s) => s.grads[h]);
    // three rules send h a gradient (3*h once, h*h twice), then h's own step
    expect(writes[0]).toMatch(/\(1 of 3 paths\)$/);
    expect(writes.some((w) => /\(2 of 3 paths\)$/.test(w)) || writes[1] === writes[2]).toBe(true);
    const visit = payload.steps.steps.find((s) => s.node === h)!;
    const sumNote = visit.notes.find((n) => n.startsWith('dL/dh is the sum of 3 gradients'))!;
    expect(sumNote).toBeDefined();
    const whole = sumNote.split('→')[1].trim();
    expect(writes[writes.length - 1]).toBe(whole);
    expect(visit.incoming).toBe(`dL/dh = ${whole}`);
    // partial states are marked for drawing, and cleared once the last path arrived
    expect(payload.steps.steps.some((s) => s.partial.includes(h))).toBe(true);
    expect(visit.partial).not.toContain(h);
  });

  it('ends with the gradients grad gives, and is a dry run (.grad untouched, graph kept)', () => {
    const { payload, stdout } = payloadOf(
      TWO_PATHS + 's = stepper(L)\nprint(x.grad)\ngx, gw = grad(L, [x, w])\nprint(gx.tolist(), gw.tolist())',
    );
    expect(stdout.split('\n')[0]).toBe('none');
    const [gx, gw] = JSON.parse(`[${stdout.split('\n')[1].replace(/\] \[/, '],[')}]`) as number[][];
    const leafGrad = (name: string) => {
      const id = Object.entries(payload.steps.nodes).find(([, n]) => n.label === name)![0];
      return payload.steps.steps.find((s) => s.node === id)!.incoming;
    };
    const nums = (s: string) => (s.match(/-?\d+\.?\d*(e[+-]?\d+)?/g) ?? []).map(Number).slice(1);
    nums(leafGrad('x')).forEach((v, i) => expect(v).toBeCloseTo(gx[i], 3));
    nums(leafGrad('w')).forEach((v, i) => expect(v).toBeCloseTo(gw[i], 3));
  });

  it('names the values a rule read from the forward pass as saved', () => {
    const { payload } = payloadOf(TWO_PATHS + 's = stepper(L)');
    const tanh = payload.steps.steps.find((s) => s.head.startsWith('h = tanh'))!;
    expect(tanh.rules[0].text).toBe('dL/d(x * w) = dL/dh * (1 - h^2)');
    expect(tanh.rules[0].saved).toEqual(['h [2]']);
    const mul = payload.steps.steps.find((s) => s.head.startsWith('x * w'))!;
    expect(mul.rules.map((r) => r.saved)).toEqual([['w [2]'], ['x [2]']]);
  });

  it('draws known_grads, hooks and detached inputs distinctly', () => {
    const code = `x = param([1.0, -2.0])
u = detach(x) * 2
h = tanh(x * 3 + u)
handle = h.register_hook(fn(g) = -g)
y = sum(h * h)
g = ones(2)
s = stepper(none, known_grads={h: g})
t = stepper(y)
`;
    const { payload } = payloadOf(code);
    const first = payload.steps.steps[0];
    expect(payload.steps.nodes[first.node]).toMatchObject({ label: 'h', known: true, hook: true });
    // the hook on h sees the given gradient too (ones, negated)
    expect(first.notes).toEqual([
      'dL/dh given by known_grads  →  [2] [-1, -1]',
      'a hook on h replaced dL/dh  →  [2] [-1, -1]',
    ]);
    expect(payload.svg).toContain('known_grads');
    expect(payload.svg).toContain('no gradient: detach · line 2');
    const hooked = payloadOf(code, 't').payload;
    const visit = hooked.steps.steps.find((s) => hooked.steps.nodes[s.node]?.label === 'h')!;
    expect(visit.notes.some((n) => n.startsWith('a hook on h replaced dy/dh'))).toBe(true);
    expect(hooked.svg).toContain('>hook<');
  });

  it('given a function, steps through the pass its call ran: backward accumulates into .grad once', () => {
    const { payload, stdout } = payloadOf(TWO_PATHS + 's = stepper(fn() = backward(L))\nprint(s, x.grad)');
    expect(stdout).toBe('<stepper: 8 backward steps> tensor([ 1.5431, -0.0757])\n');
    expect(payload.steps.title).toBe('backward from L: 8 steps, in the order the engine runs them');
    const leaf = payload.steps.steps.filter((s) => payload.steps.nodes[s.node]?.kind === 'leaf').map((s) => s.head);
    expect(leaf.sort()).toEqual(['w   (AccumulateGrad: w.grad +=)', 'x   (AccumulateGrad: x.grad +=)']);
    expect(payload.steps.listing).toContain('result: w.grad += [2] [3.086, 0.1515], x.grad += [2] [1.543, -0.07573]');
    const err = (code: string) => {
      const r = runNabla(TWO_PATHS + code);
      if (r.ok) throw new Error(`expected an error from:\n${code}`);
      return r.traceback.join('\n');
    };
    // the pass was the real one: it freed the graph, as backward does
    expect(err('stepper(fn() = backward(L))\nbackward(L)')).toMatch(/backward through the graph a second time/);
    expect(err('stepper(fn() = 1)')).toMatch(/the function ran no backward pass/);
    expect(err('stepper(fn() = backward(L), grad_outputs=ones(2))')).toMatch(
      /pass known_grads= and grad_outputs= to the grad or backward call inside it/,
    );
  });

  it('draws an input that a comparison cut off as a dotted edge saying where', () => {
    const { payload } = payloadOf('x = param([0.4, -1.6])\nm = x > 0\ny = sum(m * x)\ns = stepper(y)');
    expect(payload.svg).toContain('no gradient: a comparison · line 2');
    expect(payload.svg).toMatch(/stroke-dasharray="1,5"/);
  });

  it('is one bundle: the listing as text, a self-contained HTML fragment, and the steps MIME type', () => {
    const { bundle, payload } = payloadOf(TWO_PATHS + 's = stepper(L)');
    expect(Object.keys(bundle).sort()).toEqual([STEPS_MIME, 'text/html', 'text/plain'].sort());
    expect(bundle['text/plain']).toBe(payload.steps.listing);
    const html = bundle['text/html'] as string;
    expect(html).toMatch(/^<div id="nabla-stepper-[\w-]+" class="nabla-stepper"><div class="ns-graph"><svg/);
    expect(html).not.toMatch(/<\?xml|<!DOCTYPE|src=|href="http/);
    expect(html).toContain('function mountStepper(');
    expect(html.match(/<script/g)!.length).toBe(2);
  });

  it('keeps </script> in a label from closing the data script', () => {
    const { payload } = payloadOf(TWO_PATHS + 's = stepper(L)');
    const hostile = { ...payload, steps: { ...payload.steps, title: '</script><script>alert(1)</script>' } };
    const html = stepperHtml(hostile);
    expect(html.match(/<\/script>/g)!.length).toBe(2);
    const data = /<script type="application\/json" id="[^"]+">(.*?)<\/script>/s.exec(html)![1];
    expect(JSON.parse(data).title).toBe(hostile.steps.title);
  });

  it('writes a page with file= and prints its short form', () => {
    const file = join(tmp, 'steps.html');
    const { stdout } = payloadOf(TWO_PATHS + `s = stepper(L, file=${JSON.stringify(file)})\nprint(s)`);
    expect(stdout).toBe(`<stepper: 8 backward steps, written to ${file}>\n`);
    const page = readFileSync(file, 'utf8');
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain('class="nabla-stepper"');
  });

  it('rejects wrong calls with a sentence', () => {
    const err = (code: string) => {
      const r = runNabla(code);
      if (r.ok) throw new Error(`expected an error from:\n${code}`);
      return r.traceback.join('\n');
    };
    expect(err(TWO_PATHS + 'stepper(L, know_grads={})')).toMatch(/no parameter named 'know_grads'.*known_grads/);
    expect(err(TWO_PATHS + 'stepper(L, none, none, "a.html", 5)')).toMatch(/stepper\(\)/);
    expect(err(TWO_PATHS + 'stepper(L, file=3)')).toMatch(/file= must be a path string/);
    expect(err('stepper(none)')).toMatch(/give the output to differentiate/);
    expect(err('stepper(sum(ones(3)))')).toMatch(/GradError.*does not require grad/s);
    expect(err(TWO_PATHS + 'stepper(L, known_grads=[1])')).toMatch(/known_grads must be a map/);
    expect(err('x = param([1.0])\nh = x\nfor i in range(1001) { h = tanh(h) * 1.0 }\nstepper(sum(h))')).toMatch(
      /more than 2000 nodes, the most the stepper draws/,
    );
  });
});

describe('compare(mine, autograd)', () => {
  const CODE = `x = param([0.5, -1.0, 2.0])
h = tanh(x)
retain_grad(h)
L = sum(h^2)
L.backward()
dh = 2 * h
`;
  const shown = (code: string) => {
    const r = runNabla(CODE + code);
    if (!r.ok) throw new Error(r.traceback.join('\n'));
    return r.displays.map((d) => String(d['text/plain']));
  };

  it('says exact, close and the largest difference per intermediate, so the wrong one stands out', () => {
    const [text] = shown(
      'compare({"dh": dh, "dx": dh * (1 - h), "dx2": dh * (1 - h^2) + 1e-7}, {"dh": h.grad, "dx": x.grad, "dx2": x.grad})',
    );
    const rows = text.split('\n');
    expect(rows[0]).toMatch(/^dh +\| exact: true +\| close: true +\| max diff: 0$/);
    expect(rows[1]).toMatch(/^dx +\| exact: false \| close: false \| max diff: (\S+)$/);
    // the largest difference of dh*(1-h) against dh*(1-h^2) = |2h * (h - h^2)| over x
    const worst = Math.max(...[0.5, -1, 2].map(Math.tanh).map((t) => Math.abs(2 * t * (t - t * t))));
    expect(Number(/max diff: (\S+)$/.exec(rows[1])![1])).toBeCloseTo(worst, 2);
    expect(rows[2]).toMatch(/^dx2 +\| exact: false \| close: true +\| max diff: [1-9]\.\d\de-7$/);
  });

  it('names what cannot be compared: a missing name, none, different shapes', () => {
    const [text] = shown('compare({"dz": dh, "dh": dh[0:2], "dx": dh}, {"dh": h.grad, "dx": none, "dw": h.grad})');
    expect(text).toMatch(/^dz +\| ✗ autograd has no gradient of this name$/m);
    expect(text).toMatch(/^dh +\| ✗ shapes differ: yours is \[2\], autograd's \[3\]$/m);
    expect(text).toMatch(/^dx +\| ✗ autograd's gradient is none/m);
    expect(text).toContain('(autograd also has dw, not in mine)');
  });

  it('rejects wrong calls with a sentence', () => {
    const err = (code: string) => {
      const r = runNabla(CODE + code);
      if (r.ok) throw new Error(`expected an error from:\n${code}`);
      return r.traceback.join('\n');
    };
    expect(err('compare({"dh": dh}, {"dh": h.grad}, rtl=0.1)')).toMatch(/no parameter named 'rtl'.*rtol/);
    expect(err('compare({"dh": dh})')).toMatch(/compare\(\)/);
    expect(err('compare(dh, h.grad)')).toMatch(/mine must be a map from names to tensors/);
    expect(err('compare({"dh": dh}, {"dh": h.grad}, rtol=-1)')).toMatch(/rtol= must be a number >= 0/);
    expect(err('compare({}, {"dh": h.grad})')).toMatch(/mine is empty/);
  });
});
