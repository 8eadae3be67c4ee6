import * as nb from '../runtime';
import { Tensor, mode, siteState } from '../runtime';
import type * as A from '../grammar/ast';
import { iterate } from './call';
import { compileExpr, type Code } from './compile-expr';
import type { Compiler } from './compiler';
import { getIndex, setAttr, setIndex } from './members';
import { binary, LangError } from './operators';
import { UNBOUND, type Frame, type Scope } from './scope';
import { auto, autoCompileEnabled } from './auto-compile/hooks';
import { loopAuto } from './auto-compile/make';
import { markValueOnly } from './auto-compile/call-site';
import { RangeValue, Tuple, truthy, typeName, type Value } from './values';

/**
 * Statements compile to closures returning a control signal (break, continue, return) or undefined, so
 * loops need no exceptions. Loops call the interrupt check at each back-edge.
 */
export const BREAK = 1;
export const CONTINUE = 2;
export const RETURN = 3;
export type Signal = typeof BREAK | typeof CONTINUE | typeof RETURN | undefined;
export type SCode = (f: Frame) => Signal;

/** A compiled block; `last` holds the value of a final bare expression (a block's value). */
export interface BlockCode {
  run: SCode;
  valueOfLast: ((f: Frame) => Value) | null;
}

export function compileBlock(c: Compiler, stmts: readonly A.Stmt[], scope: Scope, keepLast = false): BlockCode {
  const lastExpr =
    keepLast && stmts.length && stmts[stmts.length - 1].kind === 'ExprStmt'
      ? (stmts[stmts.length - 1] as A.ExprStmt)
      : null;
  const body = (lastExpr ? stmts.slice(0, -1) : stmts).map((s) => compileStmt(c, s, scope));
  const run: SCode =
    body.length === 1
      ? body[0]
      : (f) => {
          for (let i = 0; i < body.length; i++) {
            const r = body[i](f);
            if (r) return r;
          }
          return undefined;
        };
  return { run, valueOfLast: lastExpr ? compileExpr(c, lastExpr.expr, scope) : null };
}

/** The first name a value is bound to is how explain and graph call it (and its graph node, which outlives a function's locals). */
function nameTensor(v: Tensor, name: string): void {
  if (v.name === null) v.name = name;
  if (v.gradFn && v.gradFn.name === null) v.gradFn.name = name;
}

/** A binder writes a value to a name, index or attribute target. */
type Binder = (f: Frame, v: Value) => void;

function compileTarget(c: Compiler, t: A.Target, scope: Scope): Binder {
  const site = c.site(t);
  if (t.kind === 'Name') {
    const r = scope.resolve(t.name);
    const name = t.name;
    if (r.kind === 'local') {
      const { depth, slot } = r;
      return (f, v) => {
        let fr = f;
        for (let d = 0; d < depth; d++) fr = fr.parent!;
        fr.vars[slot] = v;
        if (auto.rec) auto.rec.write(fr.vars, slot, name);
        if (v instanceof Tensor) nameTensor(v, name);
      };
    }
    const cell = r.cell;
    return (_f, v) => {
      cell.value = v;
      if (auto.rec) auto.rec.write(cell, -1, name);
      if (v instanceof Tensor) nameTensor(v, name);
    };
  }
  if (t.kind === 'Attr') {
    const obj = compileExpr(c, t.target, scope);
    return (f, v) => {
      const o = obj(f);
      siteState.current = site;
      if (auto.rec && !(o instanceof Tensor))
        auto.rec.deny(`it sets the attribute .${t.name} of a ${typeName(o)}, which a compiled replay would not repeat`);
      setAttr(o, t.name, v);
    };
  }
  if (t.kind === 'Missing')
    return () => {
      siteState.current = site;
      throw new LangError('this assignment has no target (see the syntax error)', 'SyntaxError');
    };
  const obj = compileExpr(c, t.target, scope);
  const keys = t.items.map((it) => (it.kind === 'Slice' ? null : compileExpr(c, it, scope)));
  const slices = t.items.map((it) =>
    it.kind === 'Slice' ? [it.start, it.stop, it.step].map((x) => (x ? compileExpr(c, x, scope) : null)) : null,
  );
  return (f, v) => {
    const o = obj(f);
    const ks = keys.map((k, i) =>
      k
        ? k(f)
        : {
            slice: slices[i]!.map((x) => (x ? (x(f) as number) : null)) as [
              number | null,
              number | null,
              number | null,
            ],
          },
    );
    siteState.current = site;
    if (auto.rec && !(o instanceof Tensor))
      auto.rec.deny(`it assigns into a ${typeName(o)} by index, which a compiled replay would not repeat`);
    setIndex(o, ks, v);
  };
}

function destructure(v: Value, n: number): Value[] {
  const items = v instanceof Tuple ? v.items : Array.isArray(v) ? v : v instanceof Tensor ? [...iterate(v)] : null;
  if (!items) throw new LangError(`cannot unpack a ${typeName(v)} into ${n} names`);
  if (items.length !== n) throw new LangError(`expected ${n} values to unpack, got ${items.length}`, 'ValueError');
  return [...items];
}

const INPLACE: Record<A.CompoundOp, [string, (a: Tensor, b: Value) => Tensor]> = {
  '+=': ['+', (a, b) => nb.add(a, b as Tensor)],
  '-=': ['-', (a, b) => nb.sub(a, b as Tensor)],
  '*=': ['*', (a, b) => nb.mul(a, b as Tensor)],
  '/=': ['/', (a, b) => nb.div(a, b as Tensor)],
};

function compileStmt(c: Compiler, s: A.Stmt, scope: Scope): SCode {
  const site = c.site(s);
  switch (s.kind) {
    case 'ExprStmt': {
      markValueOnly(s.expr); // its result is dropped: a self-compiling function called here may replay
      const e = compileExpr(c, s.expr, scope);
      return (f) => void e(f);
    }
    case 'Assign': {
      const v = compileExpr(c, s.value, scope);
      const bind = compileTarget(c, s.target, scope);
      return (f) => void bind(f, v(f));
    }
    case 'Destructure': {
      const v = compileExpr(c, s.value, scope);
      const binds = s.targets.map((t) => compileTarget(c, t, scope));
      return (f) => {
        const val = v(f);
        siteState.current = site;
        destructure(val, binds.length).forEach((x, i) => binds[i](f, x));
        return undefined;
      };
    }
    case 'CompoundAssign': {
      const read = compileExpr(c, s.target, scope);
      const v = compileExpr(c, s.value, scope);
      const bind = compileTarget(c, s.target, scope);
      const [op, tensorOp] = INPLACE[s.op];
      return (f) => {
        const cur = read(f);
        const x = v(f);
        siteState.current = site;
        // a tensor is updated in place (its version bumps); anything else is rebound to the new value
        if (cur instanceof Tensor) nb.inplace(cur, (snap) => tensorOp(snap, x), s.op);
        else bind(f, binary(op, cur, x));
        return undefined;
      };
    }
    case 'FnDef': {
      const bind = compileTarget(c, s.name, scope);
      const decorators = s.decorators.map((d) => compileExpr(c, d.expr, scope));
      const make = c.compileFunction(s.name.name, s.params, s.body, scope, s, site);
      return (f) => {
        let fn = make(f);
        for (let i = decorators.length - 1; i >= 0; i--) {
          const d = decorators[i](f);
          siteState.current = site;
          if (typeof d !== 'function') throw new LangError(`a decorator must be a function, got a ${typeName(d)}`);
          fn = (d as (g: Value) => Value)(fn);
        }
        bind(f, fn);
        return undefined;
      };
    }
    case 'If': {
      const test = compileExpr(c, s.test, scope);
      const then = compileBlock(c, s.then.body, scope).run;
      const other = s.else
        ? s.else.kind === 'If'
          ? compileStmt(c, s.else, scope)
          : compileBlock(c, s.else.body, scope).run
        : null;
      return (f) => {
        const t = test(f);
        siteState.current = site;
        if (t === true || (t !== false && truthy(t, 'if'))) return then(f);
        return other ? other(f) : undefined;
      };
    }
    case 'While': {
      const test = compileExpr(c, s.test, scope);
      const codes = s.body.body.map((st) => compileStmt(c, st, scope));
      const body = sequence(codes);
      const autoLoop = loopAuto(c, s, codes, scope);
      return (f) => {
        const compiled = autoLoop?.start(f) ?? false;
        for (;;) {
          const t = test(f);
          siteState.current = site;
          if (!(t === true || (t !== false && truthy(t, 'while')))) return undefined;
          mode.checkInterrupt?.();
          const r = compiled ? autoLoop!.iteration(f, false) : (autoLoop?.countEager(), body(f));
          if (r === BREAK) return undefined;
          if (r === RETURN) return r;
        }
      };
    }
    case 'For':
      return compileFor(c, s, scope);
    case 'Break':
      return () => BREAK;
    case 'Continue':
      return () => CONTINUE;
    case 'Return': {
      if (scope.isGlobal) c.error("'return' is allowed only inside a function", s);
      const v = s.value ? compileExpr(c, s.value, scope) : () => null;
      return (f) => {
        f.ret = v(f);
        return RETURN;
      };
    }
    case 'NoGrad': {
      const body = compileBlock(c, s.body.body, scope).run;
      return (f) => nb.noGrad(() => body(f));
    }
    case 'DetectAnomaly': {
      const body = compileBlock(c, s.body.body, scope).run;
      return (f) => {
        const prev = mode.anomaly;
        mode.anomaly = true;
        try {
          return body(f);
        } finally {
          mode.anomaly = prev;
        }
      };
    }
    case 'Time': {
      const body = compileBlock(c, s.body.body, scope).run;
      return (f) => {
        const t0 = performance.now();
        const r = body(f);
        c.out().stdout(`time: ${fmtDuration(performance.now() - t0)}\n`);
        return r;
      };
    }
    case 'With': {
      const ctx = compileExpr(c, s.context, scope);
      const bind = s.name ? compileTarget(c, s.name, scope) : null;
      const body = compileBlock(c, s.body.body, scope).run;
      return (f) => {
        const obj = ctx(f) as { enter?: () => Value; exit?: () => void };
        siteState.current = site;
        if (!obj || typeof obj.enter !== 'function' || typeof obj.exit !== 'function') {
          throw new LangError(`'with' needs a scope object such as tape(...), got a ${typeName(obj)}`);
        }
        const entered = obj.enter();
        try {
          if (bind) bind(f, entered);
          return body(f);
        } finally {
          obj.exit();
        }
      };
    }
    case 'Explain': {
      if (s.expr.kind === 'Name' && s.expr.name === 'compile' && c.host.autoCompile) {
        const log = c.host.autoCompile;
        return () => {
          c.out().stdout(log.report(autoCompileEnabled()) + '\n');
          return undefined;
        };
      }
      const e = compileExpr(c, s.expr, scope);
      return (f) => {
        c.explain(s, e, f);
        return undefined;
      };
    }
  }
}

function compileFor(c: Compiler, s: A.For, scope: Scope): SCode {
  const iter = compileExpr(c, s.iter, scope);
  const binds = s.targets.map((t) => compileTarget(c, t, scope));
  const codes = s.body.body.map((st) => compileStmt(c, st, scope));
  const eagerBody = sequence(codes);
  const autoLoop = loopAuto(c, s, codes, scope);
  const site = c.site(s);
  const one = binds.length === 1 ? binds[0] : null;
  return (f) => {
    const it = iter(f);
    siteState.current = site;
    const count = it instanceof RangeValue ? it.length : Array.isArray(it) ? it.length : undefined;
    const compiled = autoLoop?.start(f, count) ?? false;
    const body = compiled
      ? (fr: Frame) => autoLoop!.iteration(fr, false)
      : autoLoop
        ? (fr: Frame) => (autoLoop.countEager(), eagerBody(fr))
        : eagerBody;
    if (it instanceof RangeValue && one) {
      // numeric ranges run as a plain counting loop; a compiled one runs its last iteration eagerly, so the
      // values it leaves behind (a loss with its graph) are exactly what eager code leaves
      for (let i = it.start; it.step > 0 ? i < it.stop : i > it.stop; i += it.step) {
        one(f, i);
        mode.checkInterrupt?.();
        const r = compiled
          ? autoLoop!.iteration(f, it.step > 0 ? i + it.step >= it.stop : i + it.step <= it.stop)
          : body(f);
        if (r === BREAK) break;
        if (r === RETURN) return r;
      }
      return undefined;
    }
    for (const v of iterate(it)) {
      if (one) one(f, v);
      else destructure(v instanceof Map ? v : v, binds.length).forEach((x, i) => binds[i](f, x));
      mode.checkInterrupt?.();
      const r = body(f);
      if (r === BREAK) break;
      if (r === RETURN) return r;
    }
    return undefined;
  };
}

/** Statements run in order until one signals (break, continue, return). */
function sequence(codes: readonly SCode[]): SCode {
  if (codes.length === 1) return codes[0];
  return (f) => {
    for (let i = 0; i < codes.length; i++) {
      const r = codes[i](f);
      if (r) return r;
    }
    return undefined;
  };
}

function fmtDuration(ms: number): string {
  if (ms < 1) return `${(ms * 1000).toFixed(0)} µs`;
  if (ms < 1000) return `${ms.toFixed(1)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

export { getIndex, UNBOUND, type Code };
