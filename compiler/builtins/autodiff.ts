import * as nb from '../../runtime';
import { Tensor } from '../../runtime';
import { LangError } from '../operators';
import { FN_INFO, Tuple, typeName, type NablaFunction, type Value } from '../values';
import { asTensor, asTensorList, isSeq } from './convert';
import type { BuiltinTable } from './table';

/** grad returns one tensor for one input and a tuple for a list, as LANGUAGE.md says. */
const result = (inputs: Value, r: Tensor | null | (Tensor | null)[]) =>
  Array.isArray(r) && isSeq(inputs) ? new Tuple(r) : r;

function tensorsOrNone(v: Value, fn: string, what: string): Tensor[] | null {
  if (v === null || v === undefined) return null;
  return isSeq(v) ? asTensorList(v, fn, what) : [asTensor(v, fn, what)];
}

function knownGrads(v: Value): Map<Tensor, Tensor> | null {
  if (v === null) return null;
  if (!(v instanceof Map)) throw new LangError(`grad: known_grads must be a map {h: g}, got a ${typeName(v)}`);
  const m = new Map<Tensor, Tensor>();
  for (const [k, g] of v) {
    if (!(k instanceof Tensor) || !(g instanceof Tensor))
      throw new LangError(
        'grad: known_grads maps tensors to their gradients, e.g. {h: g}, with h a variable bound to a tensor',
      );
    m.set(k, g);
  }
  return m;
}

const fnArg = (f: Value, name: string) => {
  if (typeof f !== 'function')
    throw new LangError(`${name}: the first argument must be a function, e.g. ${name}(fn(x) = sum(x^2), x)`);
  return f as (x: Tensor) => Tensor;
};

export function addAutodiff(t: BuiltinTable): void {
  t.add(
    'autodiff',
    'grad',
    [
      'outputs',
      'inputs',
      'grad_outputs=none',
      'retain_graph=none',
      'create_graph=false',
      'allow_unused=false',
      'known_grads=none',
      'consider_constant=none',
    ],
    'Returns the gradients of outputs with respect to inputs (one tensor for one input, a tuple for a list), and never touches .grad. known_grads={h: g} sets the gradient at an intermediate h (Theano), replacing what would flow into it; consider_constant=[h] treats h as a constant for this call. create_graph=true makes the result differentiable again.',
    (outs: Value, ins: Value, go: Value, rg: Value, cg: Value, au: Value, kg: Value, cc: Value) =>
      result(
        ins,
        nb.grad(
          outs === null ? null : tensorsOrNone(outs, 'grad', 'outputs'),
          isSeq(ins) ? asTensorList(ins, 'grad', 'inputs') : asTensor(ins, 'grad', 'input'),
          {
            gradOutputs: tensorsOrNone(go, 'grad', 'grad_outputs'),
            retainGraph: rg === null ? undefined : !!rg,
            createGraph: !!cg,
            allowUnused: !!au,
            knownGrads: knownGrads(kg),
            considerConstant: tensorsOrNone(cc, 'grad', 'consider_constant'),
          },
        ),
      ),
  );
  t.add(
    'autodiff',
    'backward',
    ['tensors', 'grad_tensors=none', 'retain_graph=none', 'create_graph=false', 'inputs=none'],
    'Accumulates gradients into .grad of the leaves (or of inputs=) and returns none; also y.backward(). A second backward through the same graph needs retain_graph=true on the first.',
    (ts: Value, gt: Value, rg: Value, cg: Value, ins: Value) => {
      nb.backward(tensorsOrNone(ts, 'backward', 'tensors') ?? [], {
        gradTensors: tensorsOrNone(gt, 'backward', 'grad_tensors'),
        retainGraph: rg === null ? undefined : !!rg,
        createGraph: !!cg,
        inputs: tensorsOrNone(ins, 'backward', 'inputs'),
      });
      return null;
    },
  );
  t.add('autodiff', 'detach', ['x'], 'The same values with no history: gradients stop here.', (x: Value) =>
    nb.detach(asTensor(x, 'detach')),
  );
  t.add(
    'autodiff',
    'watch',
    ['x'],
    'Inside `with tape() as t`, records operations on x; outside any tape, x requires grad from now on.',
    (x: Value) => (nb.watch(asTensor(x, 'watch')), null),
  );
  t.add(
    'autodiff',
    'tape',
    ['persistent=false'],
    'A GradientTape scope: `with tape(persistent=true) as t { watch(x); y = f(x) }`, then t.gradient(y, x) and t.jacobian(y, x).',
    (p: Value) => nb.tape({ persistent: !!p }),
  );
  t.add(
    'autodiff',
    'retain_grad',
    ['x'],
    'Makes backward fill .grad of a non-leaf tensor too.',
    (x: Value) => (nb.retainGrad(asTensor(x, 'retain_grad')), null),
  );
  t.add(
    'autodiff',
    'jacobian',
    ['f', 'x'],
    'The Jacobian of f at x, shape f(x).shape + x.shape.',
    (f: Value, x: Value) => nb.jacobian(fnArg(f, 'jacobian'), asTensor(x, 'jacobian')),
  );
  t.add('autodiff', 'hessian', ['f', 'x'], 'The Hessian of a scalar function f at x.', (f: Value, x: Value) =>
    nb.hessian(fnArg(f, 'hessian'), asTensor(x, 'hessian')),
  );
  t.add(
    'autodiff',
    'vjp',
    ['f', 'x', 'v=none'],
    'Returns (f(x), vᵀ·J), as torch.autograd.functional.vjp.',
    (f: Value, x: Value, v: Value) =>
      new Tuple(nb.vjp(fnArg(f, 'vjp'), asTensor(x, 'vjp'), v === null ? null : asTensor(v, 'vjp'))),
  );
  t.add(
    'autodiff',
    'jvp',
    ['f', 'x', 'v'],
    'Returns (f(x), J·v), as torch.autograd.functional.jvp.',
    (f: Value, x: Value, v: Value) => new Tuple(nb.jvp(fnArg(f, 'jvp'), asTensor(x, 'jvp'), asTensor(v, 'jvp'))),
  );
  t.add(
    'autodiff',
    'custom_grad',
    ['backward'],
    'A decorator giving a function its own backward: `@custom_grad(fn(x, y, g) = g)` receives the inputs, the output y and the incoming gradient g, and returns one gradient per input (a straight-through estimator above).',
    (bwd: Value) => {
      if (typeof bwd !== 'function')
        throw new LangError('custom_grad needs the backward function, e.g. @custom_grad(fn(x, y, g) = g)');
      return (f: Value) => {
        if (typeof f !== 'function') throw new LangError('@custom_grad decorates a function');
        const wrapped = nb.customGrad(
          f as (...a: Tensor[]) => Tensor,
          (...args: Tensor[]) => {
            const r = (bwd as (...a: Tensor[]) => Value)(...args);
            return (r instanceof Tuple ? [...r.items] : r) as Tensor | Tensor[];
          },
          (f as { name?: string }).name || 'custom_grad',
        );
        const name = (f as { name?: string }).name || 'custom_grad';
        const params = (f as NablaFunction)[FN_INFO]?.params ?? [];
        const call = (args: readonly Value[]) => {
          if (params.length && args.length !== params.length)
            throw new LangError(
              `${name}() takes ${params.length} argument${params.length === 1 ? '' : 's'} but ${args.length} ${args.length === 1 ? 'was' : 'were'} given`,
            );
          return wrapped(...args.map((a) => asTensor(a, 'custom_grad')));
        };
        const g: NablaFunction = (...args: Value[]) => call(args);
        // its inputs are tensors given by position; keywords are refused with a sentence, not dropped
        g[FN_INFO] = {
          name,
          params,
          callKw: (args, kw) => {
            if (kw.size)
              throw new LangError(
                `${name}() has a custom gradient and takes its inputs by position, not as keywords (${[...kw.keys()].join(', ')})`,
              );
            return call(args);
          },
        };
        Object.defineProperty(g, 'name', { value: name });
        return g;
      };
    },
  );
  t.add(
    'autodiff',
    'is_grad_enabled',
    [],
    'Whether operations are being recorded now (false inside no_grad { }).',
    () => nb.mode.gradEnabled,
  );
}
