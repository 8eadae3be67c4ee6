import * as nb from '../../runtime';
import { warn } from '../../runtime/provenance';
import { LangError } from '../operators';
import { FN_INFO, Tuple, type NablaFunction, type Value } from '../values';
import type { BuiltinTable } from './table';
import { besideDeadTrace } from '../auto-compile/dead-trace';
import { auto } from '../auto-compile/hooks';

/**
 * compile(f) and @compile: the runtime's nb.compile (runtime/compile) around a Nabla function. Tuples in
 * results are rebuilt per call; keyword calls run the function eagerly (the trace is keyed by position).
 */
const TUPLE = {
  is: (v: unknown) => v instanceof Tuple,
  items: (v: unknown) => (v as Tuple).items,
  make: (items: unknown[]) => new Tuple(items),
};

export function compileFunction(f: NablaFunction): NablaFunction {
  const info = f[FN_INFO];
  const name = info?.name ?? (f.name || 'fn');
  const compiled = nb.compile((...args: Value[]) => f(...args), { name, containers: [TUPLE] });
  // called inside a loop statement whose trace failed (lb.step(closure) reads the loss), it still replays
  const g: NablaFunction = (...args: Value[]) => besideDeadTrace(() => compiled(...args));
  let warned = false;
  g[FN_INFO] = {
    name,
    params: info?.params ?? [],
    doc: `compiled: ${info?.doc ?? name}`,
    user: info?.user,
    compiled: true,
    callKw: (args, kwargs) => {
      if (!warned) {
        warned = true;
        warn(
          `compile: ${name} was called with keyword arguments, which run it eagerly; pass them by position to run it compiled`,
        );
      }
      if (!info) throw new LangError(`${name} takes no keyword arguments`);
      return info.callKw(args, kwargs);
    },
  };
  Object.defineProperty(g, 'name', { value: name });
  Object.defineProperty(g, 'compileInfo', { get: () => compiled.info });
  return g;
}

export function addCompile(t: BuiltinTable): void {
  t.add(
    'autodiff',
    'compile',
    ['f'],
    'Compiles a function, typically a whole training step (forward, backward to any order, optimizer update): the first call with each argument signature (shapes, dtypes) traces it, later calls replay the trace as one plan with elementwise chains fused and buffers reused. Also a decorator, `@compile`. Runs eagerly, with a warning saying why, where a replay could differ (it reads item(), prints, draws unseeded random numbers). Returned tensors carry no graph.',
    (f: Value) => {
      if (typeof f !== 'function')
        throw new LangError('compile needs a function, e.g. step = compile(step), or @compile above fn step() { ... }');
      return compileFunction(f as NablaFunction);
    },
  );
  // `with eager { }`: loops started and functions called inside run as written (issue 19's opt-out, beside NABLA_AUTO_COMPILE=0)
  const eager = {
    enter: () => void auto.eagerScopes++,
    exit: () => void auto.eagerScopes--,
    toString: () => '<eager scope>',
  };
  t.constant(
    'eager',
    eager,
    'A scope for `with eager { ... }`: loops that start inside it run as written, statement by statement, instead of compiling their bodies automatically, and functions called inside it do not replay a compiled plan (both on by default; NABLA_AUTO_COMPILE=0 turns it off everywhere). `explain compile` lists which loops and functions were compiled and why the others were not.',
  );
}
