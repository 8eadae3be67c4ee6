import * as nb from '../runtime';
import { Tensor, siteState, type Site } from '../runtime';
import type * as A from '../grammar/ast';
import { callValue } from './call';
import type { Compiler } from './compiler';
import { callMethod, getAttr, getIndex, type IndexKey } from './members';
import { adjoint, binary, LangError, negate, not } from './operators';
import { UNBOUND, type Frame, type Scope } from './scope';
import { auto } from './auto-compile/hooks';
import { autoCallOf, isValueOnly, markValueOnly, optimizerClosure, VALUE_READS } from './auto-compile/call-site';
import { LITERAL_DATA, RangeValue, truthy, Tuple, type Value } from './values';

/** An expression compiled to a closure over the frame: no AST is walked at run time. */
export type Code = (f: Frame) => Value;

export function compileExpr(c: Compiler, e: A.Expr, scope: Scope): Code {
  const site = c.site(e);
  switch (e.kind) {
    case 'Num': {
      const v = e.value;
      return () => v;
    }
    case 'Imag': {
      const v = e.value;
      return () => nb.complex(nb.tensor(0), nb.tensor(v));
    }
    case 'Str': {
      const v = e.value;
      return () => v;
    }
    case 'Bool': {
      const v = e.value;
      return () => v;
    }
    case 'None':
      return () => null;
    case 'Name':
      return compileName(c, e, scope, site);
    case 'Binary':
      return compileBinary(c, e, scope, site);
    case 'Unary': {
      const x = compileExpr(c, e.operand, scope);
      if (e.op === '-')
        return (f) => {
          const v = x(f);
          if (typeof v === 'number') return -v;
          siteState.current = site;
          return negate(v);
        };
      if (e.op === '+') return x;
      return (f) => {
        const v = x(f);
        siteState.current = site;
        return not(v);
      };
    }
    case 'Range': {
      const [a, b] = [compileExpr(c, e.start, scope), compileExpr(c, e.stop, scope)];
      return (f) => {
        const start = a(f);
        const stop = b(f);
        if (typeof start !== 'number' || typeof stop !== 'number') {
          siteState.current = site;
          throw new LangError('a range a..b needs two numbers');
        }
        return new RangeValue(start, stop);
      };
    }
    case 'Adjoint': {
      const x = compileExpr(c, e.operand, scope);
      return (f) => {
        const v = x(f);
        siteState.current = site;
        return adjoint(v);
      };
    }
    case 'Call':
      return compileCall(c, e, scope, site);
    case 'Attr': {
      const t = compileExpr(c, e.target, scope);
      const name = e.name;
      return (f) => {
        const v = t(f);
        siteState.current = site;
        if (auto.rec && v instanceof Tensor && name === 'grad') auto.rec.readGrad(v);
        const a = getAttr(v, name, c.builtin, c.builtinNames);
        if (auto.rec && !(v instanceof Tensor)) auto.rec.readAttr(v, name, a);
        return a;
      };
    }
    case 'Index': {
      const t = compileExpr(c, e.target, scope);
      const keys = compileIndexKeys(c, e.items, scope);
      return (f) => {
        const v = t(f);
        const k = keys(f);
        siteState.current = site;
        return getIndex(v, k);
      };
    }
    case 'List':
      return compileList(c, e, scope, site);
    case 'Tuple': {
      const items = e.items.map((x) => compileExpr(c, x, scope));
      return (f) => new Tuple(items.map((x) => x(f)));
    }
    case 'Map': {
      const entries = e.entries.map(
        (en) => [compileMapKey(c, en.key, scope), compileExpr(c, en.value, scope)] as const,
      );
      return (f) => new Map(entries.map(([k, v]) => [k(f), v(f)]));
    }
    case 'Lambda':
      return c.compileFunction('<fn>', e.params, e.body, scope, null, site);
    case 'Missing':
      return () => {
        siteState.current = site;
        throw new LangError('this expression is missing (see the syntax error)', 'SyntaxError');
      };
  }
}

function compileName(c: Compiler, e: A.Name, scope: Scope, site: Site): Code {
  const r = scope.resolve(e.name);
  const name = e.name;
  if (r.kind === 'local') {
    const { depth, slot } = r;
    const unbound = () => {
      siteState.current = site;
      return new LangError(`'${name}' is used before it is assigned in this function`, 'NameError');
    };
    if (depth === 0)
      return (f) => {
        const v = f.vars[slot];
        if (v === UNBOUND) throw unbound();
        if (auto.rec) auto.rec.read(f.vars, slot, v, name);
        return v;
      };
    return (f) => {
      let fr = f;
      for (let d = 0; d < depth; d++) fr = fr.parent!;
      const v = fr.vars[slot];
      if (v === UNBOUND) throw unbound();
      if (auto.rec) auto.rec.read(fr.vars, slot, v, name);
      return v;
    };
  }
  const cell = r.cell;
  return () => {
    const v = cell.value;
    if (auto.rec) auto.rec.read(cell, -1, v, name);
    if (v !== UNBOUND) return v;
    const b = c.builtin(name);
    if (b !== undefined) return b;
    siteState.current = site;
    throw new LangError(c.unknownName(name), 'NameError');
  };
}

function compileBinary(c: Compiler, e: A.Binary, scope: Scope, site: Site): Code {
  const l = compileExpr(c, e.left, scope);
  const r = compileExpr(c, e.right, scope);
  const op = e.op;
  if (op === 'and')
    return (f) => {
      const a = l(f);
      siteState.current = site;
      return truthy(a, 'and') ? r(f) : a;
    };
  if (op === 'or')
    return (f) => {
      const a = l(f);
      siteState.current = site;
      return truthy(a, 'or') ? a : r(f);
    };
  // the common number-number cases stay inline, so scalar loops cost what plain JS does
  if (op === '+')
    return (f) => {
      const a = l(f);
      const b = r(f);
      if (typeof a === 'number' && typeof b === 'number') return a + b;
      siteState.current = site;
      return binary(op, a, b);
    };
  if (op === '*')
    return (f) => {
      const a = l(f);
      const b = r(f);
      if (typeof a === 'number' && typeof b === 'number') return a * b;
      siteState.current = site;
      return binary(op, a, b);
    };
  if (op === '<')
    return (f) => {
      const a = l(f);
      const b = r(f);
      if (typeof a === 'number' && typeof b === 'number') return a < b;
      siteState.current = site;
      return binary(op, a, b);
    };
  return (f) => {
    const a = l(f);
    const b = r(f);
    siteState.current = site;
    return binary(op, a, b);
  };
}

interface CompiledArgs {
  positional: Code[];
  named: [string, Code][];
}

function compileArgs(c: Compiler, args: A.Arg[], scope: Scope): CompiledArgs {
  return {
    positional: args.filter((a) => !a.name).map((a) => compileExpr(c, a.value, scope)),
    named: args.filter((a) => a.name).map((a) => [a.name!, compileExpr(c, a.value, scope)]),
  };
}

function evalArgs(a: CompiledArgs, f: Frame): [Value[], Map<string, Value> | null] {
  const pos = a.positional.map((x) => x(f));
  if (!a.named.length) return [pos, null];
  return [pos, new Map(a.named.map(([k, x]) => [k, x(f)]))];
}

function compileCall(c: Compiler, e: A.Call, scope: Scope, site: Site): Code {
  const args = compileArgs(c, e.args, scope);
  const dup = e.args
    .filter((a) => a.name)
    .map((a) => a.name!)
    .find((n, i, all) => all.indexOf(n) !== i);
  if (dup) c.error(`the keyword argument '${dup}' is given twice`, e);
  const callee = e.callee;
  // a call whose result is read for its values only lets a self-compiling function replay (auto-compile/call-site)
  const valueOnly = isValueOnly(e);
  if (callee.kind === 'Attr') {
    const name = callee.name;
    if (VALUE_READS.has(name)) markValueOnly(callee.target);
    const target = compileExpr(c, callee.target, scope);
    return (f) => {
      const t = target(f);
      const [pos, kw] = evalArgs(args, f);
      siteState.current = site;
      if (auto.rec) auto.rec.method(t, name);
      if (name === 'step') optimizerClosure(t, pos, kw, valueOnly);
      return callMethod(t, name, pos, kw, c.builtin, c.builtinNames);
    };
  }
  const fn = compileExpr(c, callee, scope);
  const what = callee.kind === 'Name' ? `'${callee.name}'` : 'this value';
  if (!args.named.length) {
    const pos = args.positional;
    if (pos.length === 1) {
      const a0 = pos[0];
      return (f) => {
        const g = fn(f);
        const x = a0(f);
        siteState.current = site;
        if (auto.rec) auto.rec.call(g);
        if (typeof g !== 'function') return callValue(g, [x], null, what);
        const self = valueOnly ? autoCallOf(g) : undefined;
        if (self) return c.traced(site, g, () => self([x], true));
        return c.traced(site, g, () => (g as (x: Value) => Value)(x));
      };
    }
  }
  return (f) => {
    const g = fn(f);
    const [pos, kw] = evalArgs(args, f);
    siteState.current = site;
    if (auto.rec) auto.rec.call(g);
    const self = valueOnly && !kw ? autoCallOf(g) : undefined;
    if (self) return c.traced(site, g, () => self(pos, true));
    return c.traced(site, g, () => callValue(g, pos, kw, what));
  };
}

function compileIndexKeys(c: Compiler, items: (A.Expr | A.Slice)[], scope: Scope): (f: Frame) => IndexKey[] {
  const parts = items.map((it) => {
    if (it.kind === 'Slice') {
      const [a, b, s] = [it.start, it.stop, it.step].map((x) => (x ? compileExpr(c, x, scope) : null));
      return (f: Frame): IndexKey => ({
        slice: [a ? (a(f) as number) : null, b ? (b(f) as number) : null, s ? (s(f) as number) : null],
      });
    }
    const x = compileExpr(c, it, scope);
    return (f: Frame): IndexKey => x(f);
  });
  return (f) => parts.map((p) => p(f));
}

/**
 * A list literal of numbers builds a tensor, and so do nested literals (`[[1, 2], [3, 4]]`); a list holding
 * anything else (tensors, functions, strings) stays a list, so `grad(y, [x1, x2])` means two inputs.
 */
function compileList(c: Compiler, e: A.List, scope: Scope, site: Site): Code {
  const raw = compileRawList(c, e, scope);
  return (f) => {
    const v = raw(f);
    siteState.current = site;
    return finishList(v);
  };
}

function compileRawList(c: Compiler, e: A.List, scope: Scope): (f: Frame) => Value[] {
  const items = e.items.map((x) => (x.kind === 'List' ? compileRawList(c, x, scope) : compileExpr(c, x, scope)));
  return (f) => items.map((x) => x(f));
}

const isNumericTree = (v: Value): boolean =>
  typeof v === 'number' || typeof v === 'boolean' || (Array.isArray(v) && v.length > 0 && v.every(isNumericTree));

/** A complex literal (1 + 2i) is a 0-d complex tensor with no history: in a list of numbers it is an element. */
const isComplexScalar = (v: Value): v is Tensor =>
  v instanceof Tensor && v.rank === 0 && v.dtype === 'complex64' && !v.requiresGrad && !v.gradFn;
const isComplexTree = (v: Value): boolean =>
  typeof v === 'number' ||
  typeof v === 'boolean' ||
  isComplexScalar(v) ||
  (Array.isArray(v) && v.length > 0 && v.every(isComplexTree));
const hasComplex = (v: Value): boolean => isComplexScalar(v) || (Array.isArray(v) && v.some(hasComplex));
const part = (v: Value, k: 0 | 1): Value =>
  Array.isArray(v)
    ? v.map((x) => part(x, k))
    : isComplexScalar(v)
      ? (v.toHost()[k] as number)
      : k === 0
        ? Number(v)
        : 0;

function finishList(v: Value[]): Value {
  // [1 + 2i, 3 - 1i] is a complex64 tensor of shape [2], not a [2, 2] table of real and imaginary parts
  if (v.length && hasComplex(v) && isComplexTree(v)) return nb.complex(nb.tensor(part(v, 0)), nb.tensor(part(v, 1)));
  if (v.length && isNumericTree(v)) {
    const t = nb.tensor(v);
    LITERAL_DATA.set(t, v);
    return t;
  }
  return v.map((x) => (Array.isArray(x) ? finishList(x) : x));
}

/** A bare name key is the variable's value when one is bound to a tensor or object, else the name itself. */
function compileMapKey(c: Compiler, k: A.Expr, scope: Scope): Code {
  if (k.kind !== 'Name') return compileExpr(c, k, scope);
  const name = k.name;
  const r = scope.resolve(name);
  const read = compileExpr(c, k, scope);
  return (f) => {
    const bound = r.kind === 'local' || r.cell.value !== UNBOUND;
    if (!bound) return name;
    const v = read(f);
    return v !== null && typeof v === 'object' ? v : name;
  };
}
