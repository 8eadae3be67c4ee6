import type * as A from '../../grammar/ast';
import type { ParamSpec } from '../call';
import { didYouMean, KEYWORD_ALIASES } from '../did-you-mean';
import {
  LBFGS_KIND,
  MODEL_KIND,
  OPTIMIZER_KIND,
  PLATEAU_KIND,
  SCHEDULE_KIND,
  TAPE_KIND,
  TENSOR_KIND,
  type ObjectKind,
} from '../methods';
import { PYTHON_NAMES } from './python';

/**
 * Static resolution, without running anything: every name read is defined somewhere it can be seen (a
 * builtin, a global assigned anywhere in the program, a parameter or local of an enclosing function); calls
 * to builtins, to the program's own functions and to methods of objects whose kind is known from their
 * definition (`with tape() as t`, `opt = adam(...)`, `x = param(...)`) have arguments their parameters
 * accept; break/continue sit in a loop and return in a function. It errs on the side of silence: a name that
 * may be defined at run time (a global assigned later, a rebound function) is not reported.
 */
export interface StaticProblem {
  message: string;
  node: A.Node;
}

export interface Signature {
  name: string;
  params: readonly ParamSpec[];
}

export interface ResolveOptions {
  /** Builtins by name, with their parameters (null for constants such as pi). */
  builtins: ReadonlyMap<string, readonly ParamSpec[] | null>;
  /** Names already bound before this source runs (a notebook's earlier cells). */
  knownGlobals?: Iterable<string>;
  /** Builtins that return a tensor (or, given numbers, a number, which has no methods either way). */
  tensorResults?: ReadonlySet<string>;
}

/** What a builtin returns, where the checker can tell: the kind whose methods a call on it may use. */
const RETURNS: Record<string, ObjectKind> = {};
for (const n of ['tape']) RETURNS[n] = TAPE_KIND;
for (const n of ['sgd', 'adam', 'adamw']) RETURNS[n] = OPTIMIZER_KIND;
RETURNS.lbfgs = LBFGS_KIND;
for (const n of ['step_lr', 'exponential_lr', 'cosine_lr']) RETURNS[n] = SCHEDULE_KIND;
RETURNS.reduce_on_plateau = PLATEAU_KIND;
for (const n of ['linear', 'mlp']) RETURNS[n] = MODEL_KIND;
for (const n of [
  'tensor',
  'param',
  'zeros',
  'ones',
  'full',
  'eye',
  'arange',
  'linspace',
  'rand',
  'randn',
  'zeros_like',
  'ones_like',
  'clone',
])
  RETURNS[n] = TENSOR_KIND;

/** How many undefined names in one check get a did-you-mean. */
export const MAX_SUGGESTIONS = 200;

interface Scope {
  names: Set<string>;
  parent: Scope | null;
  /** Within a function body (return is allowed). */
  inFunction: boolean;
}

export function resolveProgram(program: A.Program, opts: ResolveOptions): StaticProblem[] {
  const resolver = programResolver(opts);
  resolver.declare(program.body);
  return resolver.resolve(program.body);
}

/**
 * The resolver in two passes over the top-level statements, so a large program can be read a
 * batch at a time and need not be held whole (compiler/check): `declare` every statement, in
 * order, then `resolve` every statement again, in the same order.
 */
export interface ProgramResolver {
  declare(stmts: readonly A.Stmt[]): void;
  /** The problems found in these statements. */
  resolve(stmts: readonly A.Stmt[]): StaticProblem[];
}

export function programResolver(opts: ResolveOptions): ProgramResolver {
  let problems: StaticProblem[] = [];
  const report = (message: string, node: A.Node) => problems.push({ message, node });
  const globals = new Set<string>(opts.knownGlobals ?? []);
  const assignCount = new Map<string, number>();
  const top: Scope = { names: globals, parent: null, inFunction: false };

  // the program's own functions, where their signature is certain: defined once at top level, not decorated
  const userFns = new Map<string, Signature>();
  // names whose kind is certain: bound once, by a builtin whose result kind is known (or `with tape() as t`)
  const kinds = new Map<string, ObjectKind>();
  // What the top-level statements say about those, kept until every binding is counted (declare) and
  // judged then (settle): a name bound once has one candidate, from the statement that binds it.
  const fnCandidates = new Map<string, Signature>();
  const kindCandidates = new Map<string, { callee: string | null; kind: ObjectKind }>();
  let settled = false;

  function declare(stmts: readonly A.Stmt[]) {
    collectBindings(stmts, globals, assignCount);
    for (const s of stmts) {
      if (s.kind === 'FnDef' && !s.decorators.length) {
        fnCandidates.set(s.name.name, {
          name: s.name.name,
          params: s.params.map((p) => (p.default ? { name: p.name, default: null } : { name: p.name })),
        });
      }
      if (
        s.kind === 'Assign' &&
        s.target.kind === 'Name' &&
        s.value.kind === 'Call' &&
        s.value.callee.kind === 'Name'
      ) {
        const callee = s.value.callee.name;
        const kind = RETURNS[callee] ?? (opts.tensorResults?.has(callee) ? TENSOR_KIND : undefined);
        if (kind) kindCandidates.set(s.target.name, { callee, kind });
      }
      if (
        s.kind === 'With' &&
        s.name &&
        s.context.kind === 'Call' &&
        s.context.callee.kind === 'Name' &&
        s.context.callee.name === 'tape'
      )
        kindCandidates.set(s.name.name, { callee: null, kind: TAPE_KIND });
    }
  }

  function settle() {
    settled = true;
    for (const [name, sig] of fnCandidates) if (assignCount.get(name) === 1) userFns.set(name, sig);
    const once = (n: string) => assignCount.get(n) === 1 && !opts.builtins.has(n);
    for (const [name, c] of kindCandidates)
      if (once(name) && (c.callee === null || !globalsShadow(c.callee))) kinds.set(name, c.kind);
    fnCandidates.clear();
    kindCandidates.clear();
  }

  function globalsShadow(name: string) {
    return globals.has(name);
  }

  const visible = (scope: Scope): string[] => {
    const out: string[] = [];
    for (let s: Scope | null = scope; s; s = s.parent) out.push(...s.names);
    return [...out, ...opts.builtins.keys()];
  };
  // Each suggestion compares the name with every visible name: a large source with thousands of undefined
  // names and thousands of globals would take quadratic time, so the first MAX_SUGGESTIONS get one.
  let suggestions = 0;
  const suggest = (name: string, scope: Scope) =>
    suggestions++ < MAX_SUGGESTIONS ? didYouMean(name, visible(scope)) : '';
  const isDefined = (name: string, scope: Scope) => {
    for (let s: Scope | null = scope; s; s = s.parent) if (s.names.has(name)) return true;
    return opts.builtins.has(name);
  };
  const isGlobalOnly = (name: string, scope: Scope) => {
    for (let s: Scope | null = scope; s && s.parent; s = s.parent) if (s.names.has(name)) return false;
    return true;
  };

  function checkArgs(sig: Signature, args: readonly A.Arg[], call: A.Call, label: string) {
    const params = sig.params;
    const positional = args.filter((a) => !a.name).length;
    const hasRest = params.some((p) => p.rest);
    const fixed = hasRest ? params.findIndex((p) => p.rest) : params.length;
    if (!hasRest && positional > params.length) {
      report(
        `${label}() takes ${params.length === 0 ? 'no arguments' : `at most ${params.length} argument${params.length === 1 ? '' : 's'}`} but ${positional} ${positional === 1 ? 'was' : 'were'} given`,
        call,
      );
      return;
    }
    const given = new Set(params.slice(0, Math.min(positional, fixed)).map((p) => p.name));
    for (const a of args) {
      if (!a.name) continue;
      const i = params.findIndex((p) => p.name === a.name);
      if (i < 0) {
        const names = params.map((p) => p.name);
        report(
          names.length
            ? `${label}() has no parameter named '${a.name}'${didYouMean(a.name, names, KEYWORD_ALIASES)} (its parameters: ${names.join(', ')})`
            : `${label}() takes no arguments, so no '${a.name}='`,
          a,
        );
        continue;
      }
      if (given.has(a.name)) report(`${label}() got two values for '${a.name}'`, a);
      given.add(a.name);
    }
    for (const p of params)
      if (!p.rest && !('default' in p) && !given.has(p.name))
        report(`${label}() is missing its argument '${p.name}'`, call);
  }

  function expr(e: A.Expr, scope: Scope): void {
    switch (e.kind) {
      case 'Name': {
        if (isDefined(e.name, scope)) return;
        const py = PYTHON_NAMES[e.name];
        report(
          py
            ? `'${e.name}' is Python's spelling; Nabla writes ${py}`
            : `'${e.name}' is not defined${suggest(e.name, scope)}`,
          e,
        );
        return;
      }
      case 'Binary':
        expr(e.left, scope);
        expr(e.right, scope);
        return;
      case 'Unary':
      case 'Adjoint':
        expr(e.operand, scope);
        return;
      case 'Range':
        expr(e.start, scope);
        expr(e.stop, scope);
        return;
      case 'Call':
        call(e, scope);
        return;
      case 'Attr':
        expr(e.target, scope);
        attr(e, scope);
        return;
      case 'Index':
        expr(e.target, scope);
        for (const it of e.items) {
          if (it.kind === 'Slice') [it.start, it.stop, it.step].forEach((x) => x && expr(x, scope));
          else expr(it, scope);
        }
        return;
      case 'List':
      case 'Tuple':
        e.items.forEach((x) => expr(x, scope));
        return;
      case 'Map':
        for (const en of e.entries) {
          if (en.key.kind !== 'Name') expr(en.key, scope); // a bare name key may be the name itself
          expr(en.value, scope);
        }
        return;
      case 'Lambda':
        fn(e.params, e.body, scope);
        return;
      default:
        return;
    }
  }

  /**
   * The kind of a value where it is certain: a global bound once by a known builtin, or a call of such a
   * builtin itself (`ones(2).double(1)`), where no global shadows it.
   */
  const kindOfName = (target: A.Expr, scope: Scope): ObjectKind | undefined => {
    if (target.kind === 'Name') return isGlobalOnly(target.name, scope) ? kinds.get(target.name) : undefined;
    if (target.kind === 'Call' && target.callee.kind === 'Name') {
      const callee = target.callee.name;
      if (!isGlobalOnly(callee, scope) || globalsShadow(callee) || !opts.builtins.has(callee)) return undefined;
      return RETURNS[callee] ?? (opts.tensorResults?.has(callee) ? TENSOR_KIND : undefined);
    }
    return undefined;
  };

  function attr(e: A.Attr, scope: Scope) {
    const kind = kindOfName(e.target, scope);
    if (!kind || kind === TENSOR_KIND) return; // tensors' members include the builtins; the run-time message covers them
    if (e.name in kind.methods || e.name in kind.attrs) return;
    report(
      `${/^[aeiou]/.test(kind.kind) ? 'an' : 'a'} ${kind.kind} has no attribute '${e.name}'${didYouMean(e.name, [...Object.keys(kind.methods), ...Object.keys(kind.attrs)])}`,
      e,
    );
  }

  function call(e: A.Call, scope: Scope) {
    e.args.forEach((a) => expr(a.value, scope));
    const c = e.callee;
    if (c.kind === 'Name') {
      if (!isDefined(c.name, scope)) return expr(c, scope);
      if (!isGlobalOnly(c.name, scope)) return; // a parameter or local: its value is not known
      const user = userFns.get(c.name);
      if (user) return checkArgs(user, e.args, e, c.name);
      if (globals.has(c.name)) return; // a global bound at run time (maybe shadowing a builtin)
      const params = opts.builtins.get(c.name);
      if (params) checkArgs({ name: c.name, params }, e.args, e, c.name);
      return;
    }
    if (c.kind === 'Attr') {
      expr(c.target, scope);
      const kind = kindOfName(c.target, scope);
      if (!kind) return;
      const m = kind.methods[c.name];
      if (m) return checkArgs({ name: c.name, params: m.params }, e.args, e, `${kind.kind}.${c.name}`);
      if (kind === TENSOR_KIND) {
        // a builtin used as a method: its first parameter is the tensor
        const params = opts.builtins.get(c.name);
        if (params && params.length) checkArgs({ name: c.name, params: params.slice(1) }, e.args, e, `x.${c.name}`);
        return;
      }
      attr(c, scope);
      return;
    }
    expr(c, scope);
  }

  function fn(params: readonly A.Param[], body: A.Expr | A.Block, outer: Scope) {
    params.forEach((p) => p.default && expr(p.default, outer));
    const names = new Set(params.map((p) => p.name));
    if (body.kind === 'Block') collectBindings(body.body, names, new Map());
    const scope: Scope = { names, parent: outer, inFunction: true };
    if (body.kind === 'Block') block(body.body, scope, false);
    else expr(body, scope);
  }

  function block(stmts: readonly A.Stmt[], scope: Scope, inLoop: boolean) {
    for (const s of stmts) stmt(s, scope, inLoop);
  }

  function target(t: A.Target, scope: Scope) {
    if (t.kind === 'Attr') expr(t.target, scope);
    else if (t.kind === 'Index') {
      expr(t.target, scope);
      t.items.forEach((it) =>
        it.kind === 'Slice' ? [it.start, it.stop, it.step].forEach((x) => x && expr(x, scope)) : expr(it, scope),
      );
    }
  }

  function stmt(s: A.Stmt, scope: Scope, inLoop: boolean): void {
    switch (s.kind) {
      case 'ExprStmt':
      case 'Explain':
        expr(s.expr, scope);
        return;
      case 'Assign':
        expr(s.value, scope);
        target(s.target, scope);
        return;
      case 'CompoundAssign':
        expr(s.value, scope);
        if (s.target.kind === 'Name') expr(s.target, scope);
        else target(s.target, scope);
        return;
      case 'Destructure':
        expr(s.value, scope);
        s.targets.forEach((t) => target(t, scope));
        return;
      case 'FnDef':
        s.decorators.forEach((d) => expr(d.expr, scope));
        fn(s.params, s.body, scope);
        return;
      case 'If':
        expr(s.test, scope);
        block(s.then.body, scope, inLoop);
        if (s.else) s.else.kind === 'If' ? stmt(s.else, scope, inLoop) : block(s.else.body, scope, inLoop);
        return;
      case 'While':
        expr(s.test, scope);
        block(s.body.body, scope, true);
        return;
      case 'For':
        expr(s.iter, scope);
        block(s.body.body, scope, true);
        return;
      case 'Break':
      case 'Continue':
        if (!inLoop) report(`'${s.kind.toLowerCase()}' belongs inside a loop (for or while)`, s);
        return;
      case 'Return':
        if (!scope.inFunction) report("'return' is allowed only inside a function", s);
        if (s.value) expr(s.value, scope);
        return;
      case 'NoGrad':
      case 'DetectAnomaly':
      case 'Time':
        block(s.body.body, scope, inLoop);
        return;
      case 'With':
        expr(s.context, scope);
        block(s.body.body, scope, inLoop);
        return;
    }
  }

  return {
    declare,
    resolve(stmts) {
      if (!settled) settle();
      problems = [];
      block(stmts, top, false);
      return problems;
    },
  };
}

/** Names a block binds (Python's rule: assignment anywhere in a function makes a local; blocks open no scope). */
export function collectBindings(stmts: readonly A.Stmt[], into: Set<string>, counts: Map<string, number>): void {
  const bind = (n: string) => {
    into.add(n);
    counts.set(n, (counts.get(n) ?? 0) + 1);
  };
  const walk = (s: A.Stmt): void => {
    switch (s.kind) {
      case 'Assign':
      case 'CompoundAssign':
        if (s.target.kind === 'Name') bind(s.target.name);
        if (s.kind === 'CompoundAssign' && s.target.kind === 'Name') bind(s.target.name);
        return;
      case 'Destructure':
        s.targets.forEach((t) => t.kind === 'Name' && bind(t.name));
        return;
      case 'FnDef':
        bind(s.name.name);
        return;
      case 'For':
        s.targets.forEach((t) => bind(t.name));
        s.body.body.forEach(walk);
        return;
      case 'With':
        if (s.name) bind(s.name.name);
        s.body.body.forEach(walk);
        return;
      case 'If':
        s.then.body.forEach(walk);
        if (s.else) s.else.kind === 'If' ? walk(s.else) : s.else.body.forEach(walk);
        return;
      case 'While':
      case 'NoGrad':
      case 'DetectAnomaly':
      case 'Time':
        s.body.body.forEach(walk);
        return;
      default:
        return;
    }
  };
  stmts.forEach(walk);
}
