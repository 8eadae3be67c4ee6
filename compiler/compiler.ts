import type { Site } from '../runtime';
import type { Diagnostic } from '../diagnostic';
import type * as A from '../grammar/ast';
import { bindArgs } from './call';
import { PYTHON_NAMES } from './check/python';
import { didYouMean } from './did-you-mean';
import { compileExpr, type Code } from './compile-expr';
import { compileBlock, RETURN, type BlockCode } from './compile-stmt';
import { MAX_CALL_DEPTH, MAX_NESTING, RecursionLimit, tooDeep } from './depth';
import { LangError } from './operators';
import { FN_AUTO, type AutoCall } from './auto-compile/call-site';
import { functionAuto } from './auto-compile/make';
import type { AutoCompileLog } from './auto-compile/report';
import { Globals, Scope, UNBOUND, type Frame } from './scope';
import type { Output } from './session';
import { FN_INFO, type NablaFunction, type Value } from './values';

/** One frame of a Nabla call stack, attached to an error as it leaves a user function. */
export interface TraceFrame {
  fn: string;
  site: Site;
}

export const TRACE = Symbol('nabla.trace');
const SITE = Symbol('nabla.site');

/** A Site whose source text is cut out only when asked for (most sites are never shown). */
class SourceSite implements Site {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly col: number,
    private readonly source: string,
    private readonly start: number,
    private readonly end: number,
  ) {}
  get text(): string {
    return this.source.slice(this.start, this.end);
  }
}

export interface CompilerHost {
  globals: Globals;
  builtin(name: string): Value | undefined;
  builtinNames(): string[];
  out(): Output;
  explain(stmt: A.Explain, value: Code, f: Frame): void;
  /** The builtin table's group of a builtin (auto-compile asks which calls a replay repeats). */
  builtinGroup?(name: string): string | undefined;
  /** Where loops report whether they were compiled (`explain compile`); absent for `nabla check`. */
  autoCompile?: AutoCompileLog;
}

/**
 * Turns a parsed program into closures. One Compiler per source (a cell or a file): it owns the file name
 * for sites, collects compile-time diagnostics, and compiles functions with Python's scoping rule.
 */
export class Compiler {
  /** Compile-time mistakes (e.g. `return` outside a function), reported with their places before anything runs. */
  readonly diagnostics: Diagnostic[] = [];
  readonly builtin: (name: string) => Value | undefined;
  readonly builtinNames: () => readonly string[];

  constructor(
    readonly host: CompilerHost,
    readonly file: string,
    private readonly source: string,
  ) {
    this.builtin = (name) => host.builtin(name);
    this.builtinNames = () => host.builtinNames();
  }

  site(n: A.Node): Site {
    // kept on the node itself: a WeakMap of a million nodes (a long source) made garbage collection superlinear
    const holder = n as A.Node & { [SITE]?: Site };
    let s = holder[SITE];
    if (!s) {
      s = new SourceSite(
        this.file,
        n.span.start.line,
        n.span.start.col,
        this.source,
        n.span.start.offset,
        n.span.end.offset,
      );
      holder[SITE] = s;
    }
    return s;
  }

  error(message: string, node: A.Node): void {
    const { start, end } = node.span;
    const place = { file: this.file, line: start.line, col: start.col, endLine: end.line, endCol: end.col, label: '' };
    this.diagnostics.push({ kind: 'SyntaxError', message, places: [place], notes: [], severity: 'error' });
  }

  out(): Output {
    return this.host.out();
  }

  explain(stmt: A.Explain, value: Code, f: Frame): void {
    this.host.explain(stmt, value, f);
  }

  compileProgram(p: A.Program): { scope: Scope; code: BlockCode } {
    const scope = new Scope(null, this.host.globals, '<cell>');
    const deep = tooDeep(p);
    if (deep) {
      // refused before compiling: compiling (and running) recurses once per level
      this.error(
        `this expression nests more than ${MAX_NESTING} levels deep (a long chain like 1+1+…+1, or many brackets): split it into smaller pieces with intermediate variables`,
        deep,
      );
      return { scope, code: compileBlock(this, [], scope, true) };
    }
    return { scope, code: compileBlock(this, p.body, scope, true) };
  }

  /** Adds this call's place to an error leaving a user function (a traceback without a JS stack). */
  traced<T>(site: Site, fn: unknown, call: () => T): T {
    if (!(fn as NablaFunction)?.[FN_INFO]?.user) return call();
    if (this.callDepth >= MAX_CALL_DEPTH) throw new RecursionLimit();
    this.callDepth++;
    try {
      return call();
    } catch (e) {
      if (e && typeof e === 'object') {
        const frames: TraceFrame[] = ((e as Record<symbol, TraceFrame[]>)[TRACE] ??= []);
        frames.push({ fn: site.text ?? '', site });
      }
      throw e;
    } finally {
      this.callDepth--;
    }
  }
  /** User-function calls open now (traced). */
  private callDepth = 0;

  unknownName(name: string): string {
    const py = PYTHON_NAMES[name];
    if (py) return `'${name}' is Python's spelling; Nabla writes ${py}`;
    return `'${name}' is not defined${didYouMean(name, [...this.host.globals.bound(), ...this.host.builtinNames()])}`;
  }

  /** Compiles `fn name(params) body`; the result makes the function value when the definition runs. */
  compileFunction(
    name: string,
    params: readonly A.Param[],
    body: A.Expr | A.Block,
    outer: Scope,
    /** The definition of a named function (which may compile itself when called repeatedly); null for a lambda. */
    def: A.FnDef | null,
    site: Site,
  ): Code {
    const scope = new Scope(outer, this.host.globals, name);
    for (const p of params) scope.declare(p.name);
    collectLocals(body.kind === 'Block' ? body.body : [], scope);
    const defaults = params.map((p) => (p.default ? compileExpr(this, p.default, outer) : null));
    const block = body.kind === 'Block' ? compileBlock(this, body.body, scope, true) : null;
    const expr = body.kind === 'Block' ? null : compileExpr(this, body, scope);
    const nslots = scope.slots.size;
    const names = params.map((p) => p.name);
    const nparams = params.length;
    const selfCompiling = def ? functionAuto(this, def) : null;
    return (outerFrame: Frame) => {
      const defaultValues = defaults.map((d) => (d ? d(outerFrame) : UNBOUND));
      const specs = names.map((n, i) =>
        defaultValues[i] === UNBOUND ? { name: n } : { name: n, default: defaultValues[i] },
      );
      const run = (bound: readonly Value[]): Value => {
        const vars: Value[] = new Array(nslots).fill(UNBOUND);
        for (let i = 0; i < nparams; i++) vars[i] = bound[i];
        const fr: Frame = { vars, parent: outerFrame };
        if (expr) return expr(fr);
        const r = block!.run(fr);
        if (r === RETURN) return fr.ret;
        if (r) throw new LangError("'break' and 'continue' belong inside a loop", 'SyntaxError');
        return block!.valueOfLast ? block!.valueOfLast(fr) : null;
      };
      const bindPositional = (args: readonly Value[]) =>
        args.length === nparams ? args : bindArgs(name, specs, args as Value[], null);
      const self = selfCompiling?.(outerFrame, run);
      const fn: NablaFunction = self
        ? (...args: Value[]) => self.call(bindPositional(args), false)
        : (...args: Value[]) => run(bindPositional(args));
      if (self) {
        const call: AutoCall = (args, valueOnly) => self.call(bindPositional(args), valueOnly);
        Object.defineProperty(fn, FN_AUTO, { value: call });
      }
      fn[FN_INFO] = {
        name,
        params: names.map((n, i) => (defaultValues[i] === UNBOUND ? n : `${n}=…`)),
        callKw: (args, kwargs) => run(bindArgs(name, specs, args, kwargs)),
        user: true,
      };
      Object.defineProperty(fn, 'name', { value: name });
      return fn;
    };
  }
}

/** Python's rule: a name assigned anywhere in a function body (not in nested functions) is local to it. */
function collectLocals(stmts: readonly A.Stmt[], scope: Scope): void {
  const target = (t: A.Target) => t.kind === 'Name' && scope.declare(t.name);
  const walk = (s: A.Stmt): void => {
    switch (s.kind) {
      case 'Assign':
      case 'CompoundAssign':
        target(s.target);
        break;
      case 'Destructure':
        s.targets.forEach(target);
        break;
      case 'FnDef':
        scope.declare(s.name.name);
        break;
      case 'For':
        s.targets.forEach((t) => scope.declare(t.name));
        s.body.body.forEach(walk);
        break;
      case 'With':
        if (s.name) scope.declare(s.name.name);
        s.body.body.forEach(walk);
        break;
      case 'If':
        s.then.body.forEach(walk);
        if (s.else) s.else.kind === 'If' ? walk(s.else) : s.else.body.forEach(walk);
        break;
      case 'While':
      case 'NoGrad':
      case 'DetectAnomaly':
      case 'Time':
        s.body.body.forEach(walk);
        break;
    }
  };
  stmts.forEach(walk);
}
