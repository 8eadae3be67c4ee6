import { describe, expect, it } from 'vitest';
import * as nb from '../../runtime';
import { createSession } from '../../compiler';
import type { Output } from '../../compiler/session';
import { enterContext, RuntimeContext, withContext } from '../../runtime/context';
import {
  backwardDiagnoser,
  backwardObserver,
  traceState,
  untraced,
  withTrace,
  type TraceHooks,
} from '../../runtime/hooks';
import { mode } from '../../runtime/mode';
import { warn, warnings } from '../../runtime/provenance';
import { siteState } from '../../runtime/site';
import { activeTapes } from '../../runtime/tape';
import { traceBackward } from '../../runtime/explain';

/** A trace listener that only notes which kernels it was told about and whether it was told to give up. */
function listener(): TraceHooks & { kernels: string[]; reasons: string[] } {
  const kernels: string[] = [];
  const reasons: string[] = [];
  return {
    kernels,
    reasons,
    kernel: (name) => void kernels.push(name),
    write: () => {},
    effect: () => {},
    readsGrad: () => {},
    setsGrad: () => {},
    unreplayable: (r) => void reasons.push(r),
  };
}

/** An output that keeps what a session printed, to stdout and stderr separately. */
function collect(onStdout?: (text: string) => void): Output & { out: string; err: string } {
  const o = {
    out: '',
    err: '',
    stdout: (t: string) => {
      o.out += t;
      onStdout?.(t);
    },
    stderr: (t: string) => void (o.err += t),
    display: () => {},
  };
  return o;
}

describe('the runtime context: one per session', () => {
  it("a context's warnings sink, trace, mode and place are its own, and come back when the inner one is left", () => {
    const a = new RuntimeContext();
    const b = new RuntimeContext();
    const heardA: string[] = [];
    const heardB: string[] = [];
    const tr = listener();
    withContext(a, () => {
      warnings.sink = (m) => heardA.push(m);
      traceState.current = tr;
      mode.anomaly = true;
      siteState.current = { file: 'a.nabla', line: 1, col: 1 };
      const t = nb.tape().enter();
      withContext(b, () => {
        expect(activeTapes).toEqual([]);
        expect(traceState.current).toBe(null);
        expect(mode.anomaly).toBe(false);
        expect(siteState.current).toBe(null);
        warnings.sink = (m) => heardB.push(m);
        warn('said in b');
      });
      expect(activeTapes).toEqual([t]);
      t.exit();
      expect(traceState.current).toBe(tr);
      expect(mode.anomaly).toBe(true);
      expect(siteState.current?.file).toBe('a.nabla');
      warn('said in a');
      traceState.current = null;
    });
    expect(heardA).toEqual(['said in a']);
    expect(heardB).toEqual(['said in b']);
    // the context left is the one that was current before (the default one here): untouched by a and b
    expect(mode.anomaly).toBe(false);
    expect(traceState.current).toBe(null);
  });

  it("the interrupt check is the process's: installed once, every context calls it", () => {
    const a = new RuntimeContext();
    let calls = 0;
    const prev = mode.checkInterrupt;
    mode.checkInterrupt = () => void calls++;
    try {
      withContext(a, () => nb.add(nb.tensor([1, 2]), 1));
      expect(calls).toBeGreaterThan(0);
    } finally {
      mode.checkInterrupt = prev;
    }
  });

  it('enterContext gives back the context it replaced, so a caller can restore it', () => {
    const a = new RuntimeContext();
    const prev = enterContext(a);
    try {
      expect(nb.currentContext()).toBe(a);
    } finally {
      expect(enterContext(prev)).toBe(a);
    }
    expect(nb.currentContext()).toBe(prev);
  });

  it("two sessions in one process: a session run inside another's run warns to its own output, and anomaly mode stays in its session", () => {
    const inner = createSession();
    const innerOut = collect();
    // the outer session prints inside detect_anomaly; its output callback runs the inner session right then
    const outerOut = collect((t) => {
      if (t.includes('now'))
        inner.run(
          'x = param([0.4, 1.6])\nprint(grad(sum(round(x) * 2), x))\nprint(sum(log(tensor([0.0, 1.0]))))',
          innerOut,
          { file: 'inner.nabla' },
        );
    });
    const outer = createSession();
    const r = outer.run(
      'w = param([0.5])\ndetect_anomaly {\n  print("now")\n  g = grad(sum(sign(w)), w)\n}\nprint(g)',
      outerOut,
      { file: 'outer.nabla' },
    );
    expect(r.ok).toBe(true);
    // the inner session's flat-gradient warning went to the inner output only, naming its own file
    expect(innerOut.err).toBe(
      "Warning: grad: the gradient of 'x' is zero everywhere: the gradient reaches it only through round at inner.nabla:2:16 (round(x)), whose derivative is zero almost everywhere. For a straight-through estimator give that step its own gradient, e.g. @custom_grad(fn(x, y, g) = g) fn round_ste(x) = round(x)\n",
    );
    // the outer detect_anomaly did not reach the inner session: log(0) there is -inf, not an AnomalyError
    expect(innerOut.out).toBe('tensor([0., 0.])\ntensor(-inf)\n');
    // and the outer session, back in its own context, still warns to its own output, naming its own file
    expect(outerOut.err).toContain(
      "Warning: grad: the gradient of 'w' is zero everywhere: the gradient reaches it only through sign at outer.nabla:4:16 (sign(w))",
    );
    expect(outerOut.out).toBe('now\ntensor([0.])\n');
  });

  it('a session leaves the context that called it as it found it', () => {
    const heard: string[] = [];
    const prev = warnings.sink;
    warnings.sink = (m) => heard.push(m);
    try {
      const s = createSession();
      const o = collect();
      expect(s.run('x = param([0.4])\nprint(grad(sum(round(x)), x))', o).ok).toBe(true);
      expect(o.err).toContain('zero everywhere');
      expect(heard).toEqual([]);
      expect(warnings.sink).not.toBe(prev);
      warn('still mine');
      expect(heard).toEqual(['still mine']);
    } finally {
      warnings.sink = prev;
    }
  });
});

describe('the core raises events; compile/ and explain/ subscribe', () => {
  it('a trace subscribed with withTrace hears every kernel and host read, untraced hides them, and the slot is given back', () => {
    const tr = listener();
    const x = nb.tensor([1, 2, 3]);
    withTrace(tr, () => {
      nb.mul(nb.add(x, 1), 2);
      untraced(() => nb.exp(x));
      x.tolist();
    });
    expect(tr.kernels.length).toBe(2);
    expect(tr.reasons).toEqual([
      'it reads the values of a tensor on the host (item(), tolist(), print, or an op that needs them, such as indexing with a tensor)',
    ]);
    expect(traceState.current).toBe(null);
  });

  it("explain's backward observer sees each pass, and nothing is left listening afterwards", () => {
    const x = nb.param([1, 2]);
    const { passes } = traceBackward(() => nb.sum(nb.mul(x, x)).backward());
    expect(passes.length).toBe(1);
    expect(passes[0].steps.map((s) => s.node.op.name)).toContain('mul');
    expect(backwardObserver.current).toBe(null);
  });

  it('backprop without the explain layer still stops at a NaN gradient, naming the rule; with it, explains', () => {
    const run = () => {
      const x = nb.param([0, 1]);
      mode.anomaly = true;
      try {
        nb.sum(nb.mul(nb.sqrt(x), nb.tensor([0, 1]))).backward();
      } finally {
        mode.anomaly = false;
      }
    };
    const registered = backwardDiagnoser.current;
    expect(registered).not.toBe(null);
    expect(run).toThrow(
      /^detect_anomaly: the backward of sqrt produced NaN in the gradient of tensor at element \[0\], by the formula .*The incoming gradient is 0 there/,
    );
    backwardDiagnoser.current = null;
    try {
      expect(run).toThrow(
        'detect_anomaly: the backward of sqrt produced a value that is not finite in the gradient of input 1.',
      );
    } finally {
      backwardDiagnoser.current = registered;
    }
  });
});
