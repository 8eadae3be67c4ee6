import { isComplex, realOf } from '../dtype';
import { record } from '../engine';
import { typeError } from '../errors';
import type { BackwardCtx, OpDef } from '../graph';
import type { Tensor } from '../tensor';
import { ELEMENTWISE, type ElementwiseEntry } from './registry';
import { ruleOps } from './rule-ops';
import { compute } from './util';

/**
 * The op layer of the elementwise registry: an OpDef per entry (its rules wrapped for the engine) and the
 * unary op functions. Binary ops broadcast first (binary.ts). The rules get the runtime's op namespace
 * (./rule-ops.ts; the registry imports no ops).
 */
/** `broadcasts`: each input's gradient is summed back to its shape (binary ops; unary never broadcasts). */
export function opDefOf(e: ElementwiseEntry, broadcasts: boolean): OpDef {
  return {
    name: e.name,
    gradName: e.gradName,
    formulas: e.formulas ?? [],
    saveOut: e.saveOut,
    zeroGrad: e.zeroGrad,
    backward: (g: Tensor, c: BackwardCtx) => {
      const ctx = { x: c.inputs[0], y: c.inputs[1], out: c.out, attrs: c.attrs as Record<string, number> };
      const ops = ruleOps();
      return e.rules.map((rule, i) => {
        if (c.needs && !c.needs[i]) return null;
        const gi = rule(g, ctx, ops);
        return broadcasts ? ops.sumTo(gi, c.inputMeta[i].shape) : gi;
      });
    },
  };
}

export const UNARY: Record<string, OpDef> = Object.fromEntries(
  ELEMENTWISE.filter((e) => e.arity === 1).map((e) => [e.name, opDefOf(e, false)]),
);
const ENTRY = new Map(ELEMENTWISE.map((e) => [e.name, e]));

/** Runs a unary entry: params (numbers, PyTorch's defaults) become the kernel's attrs. */
export function unaryOp(name: string, x: Tensor, params: Record<string, number | string> = {}): Tensor {
  const e = ENTRY.get(name)!;
  if (isComplex(x.dtype) && !e.complex) {
    throw typeError(name, `${name} is not defined for complex tensors here; apply it to real(z), imag(z) or abs(z)`);
  }
  const attrs: Record<string, number | string> = { fn: name };
  for (const p of e.params ?? []) {
    const v = params[p.name] ?? p.default;
    if (p.choices) {
      // a string choice reaches the kernel as its index (registry paramNumber)
      if (!p.choices.includes(String(v)))
        throw typeError(
          name,
          `${p.name} must be one of ${p.choices.map((c) => `"${c}"`).join(', ')}, got ${JSON.stringify(v)}`,
        );
      attrs[p.name] = p.choices.indexOf(String(v));
      continue;
    }
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw typeError(name, `${p.name} must be a finite number, got ${String(v)}`);
    attrs[p.name] = v;
  }
  const dtype = e.realOut ? realOf(x.dtype) : x.dtype === 'bool' ? 'float32' : x.dtype;
  const out = compute('unary', [x], attrs, x.shape, dtype, name);
  const { fn: _fn, ...opAttrs } = attrs;
  return record(UNARY[name], [x], opAttrs, out);
}

/** The op function of a unary entry, as the runtime exports it. */
export const unaryFn = (name: string) => {
  if (!ENTRY.has(name) || ENTRY.get(name)!.arity !== 1) throw new Error(`no unary registry entry ${name}`);
  const f = (x: Tensor, params?: Record<string, number | string>): Tensor => unaryOp(name, x, params);
  // the op's own name (mlp prints act=tanh, error messages name the function)
  return Object.defineProperty(f, 'name', { value: name });
};
