import { enterContext, RuntimeContext, siteState, Tensor, type Site } from '../runtime';
import { isComplete, parse, shaped, type Diagnostic } from '../grammar';
import { placeless } from '../diagnostic';
import type * as A from '../grammar/ast';
import { warnings } from '../runtime/provenance';
import { createBuiltins, type BuiltinTable } from './builtins';
import { explainStatement } from './builtins/explain';
import { checkSource } from './check';
import { checkFailure, namesDefinedBy, topLevelNames } from './check/cell';
import { Compiler } from './compiler';
import { AutoCompileLog } from './auto-compile/report';
import { autoCompileEnabled } from './auto-compile/hooks';
import type { Code } from './compile-expr';
import { completeAt, inspectAt } from './completion';
import { LangError } from './operators';
import { reportDiagnostics, reportError } from './report';
import { Globals, type Frame } from './scope';
import type { MimeBundle, Output, RunResult, Session } from './session';
import { show, type Value } from './values';

export interface SessionOptions {
  /** Values of `--name value` script arguments, read by args(name, default). */
  scriptArgs?: Map<string, string>;
  /** Bundles for a displayed value (the kernel adds text/html for tensors); text/plain by default. */
  mime?: (v: Value) => MimeBundle | null;
  /**
   * Check each cell before running it (compiler/check), with the names earlier cells defined; a cell with
   * errors does not run, and its error lists them all. The kernel and the playground's session set it.
   */
  checkBeforeRun?: boolean;
}

/** IPython's `x?`: the signature and documentation, as help(x) prints them. */
function helpForm(code: string): string {
  const asked = /^\s*([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\s*\?\s*$/.exec(code);
  return asked ? `help(${asked[1]})` : code;
}

const quietOutput: Output = { stdout: () => {}, stderr: () => {}, display: () => {} };

/** One notebook's or REPL's state: its globals persist across runs; a failed run keeps them. */
export class NablaSession implements Session {
  readonly globals = new Globals();
  readonly builtins: BuiltinTable;
  private output: Output = quietOutput;
  private sources = new Map<string, string>();
  private runs = 0;
  /** Names the cells run so far assign at top level: the checker lets a later cell use them. */
  private readonly declared = new Set<string>();
  private readonly top: Frame = { vars: [], parent: null };
  /** Which loops compiled themselves, for `explain compile` and `nabla run --explain-compile`. */
  readonly autoCompile = new AutoCompileLog();
  /** This session's runtime state (grad mode, warnings sink, trace, source place), current while its code runs. */
  readonly runtime = new RuntimeContext();

  constructor(private readonly opts: SessionOptions = {}) {
    this.builtins = createBuiltins({
      out: () => this.output,
      scriptArgs: opts.scriptArgs ?? new Map(),
      bundle: (v) => this.bundle(v),
    });
  }

  /** Never throws (the Session contract): whatever goes wrong, parsing and compiling included, is a result. */
  run(code: string, out: Output, opts: { file?: string } = {}): RunResult {
    code = helpForm(code);
    const file = opts.file ?? `cell[${++this.runs}]`;
    try {
      return this.runChecked(code, out, file);
    } catch (e) {
      return { ok: false, ...reportError(e, null, this.sources) };
    }
  }

  /**
   * What the checker finds in a cell without running it, given the names this session defines and the
   * names `earlier` sources (the cells above it, run or not) define at top level.
   */
  check(code: string, opts: { file?: string; earlier?: readonly string[] } = {}): Diagnostic[] {
    const known = this.knownNames();
    for (const source of opts.earlier ?? []) for (const n of namesDefinedBy(source)) known.add(n);
    return checkSource(helpForm(code), opts.file ?? 'cell', this.builtins, { knownGlobals: known });
  }

  /** Names bound now, and names earlier runs assign somewhere at top level (in a branch not taken, say). */
  private knownNames(): Set<string> {
    return new Set([...this.globals.bound(), ...this.declared]);
  }

  private runChecked(code: string, out: Output, file: string): RunResult {
    this.sources.set(file, code);
    const parsed = parse(code, file);
    if (this.opts.checkBeforeRun) {
      // syntax errors come back with the Nabla form of a Python spelling, like `nabla check` prints them
      const found = checkSource(code, file, this.builtins, { knownGlobals: this.knownNames() }).filter(
        (d) => d.severity === 'error',
      );
      if (found.length) return checkFailure(found, code, file, parsed.diagnostics.length > 0);
    }
    if (parsed.diagnostics.length || !parsed.program) {
      const found = parsed.diagnostics.map((d) => shaped(d, file));
      return {
        ok: false,
        ...reportDiagnostics(
          found.length ? found : [placeless('SyntaxError', 'the input could not be parsed')],
          this.sources,
        ),
      };
    }
    const compiler = new Compiler(this.host(code), file, code);
    const { code: block } = compiler.compileProgram(parsed.program);
    if (compiler.diagnostics.length) return { ok: false, ...reportDiagnostics(compiler.diagnostics, this.sources) };
    for (const n of topLevelNames(parsed.program)) this.declared.add(n);
    // this session's runtime state is current while its code runs (siteState and warnings below are its own);
    // entered inline, not through a callback, so a deep recursion in the cell has the stack it always had
    const prevContext = enterContext(this.runtime);
    const prevOut = this.output;
    const prevWarn = warnings.sink;
    this.output = out;
    // runtime diagnostics that are not errors (a gradient that is zero through round) go to the cell's stderr
    warnings.sink = (m) => out.stderr(`Warning: ${m}\n`);
    siteState.current = null;
    try {
      const signal = block.run(this.top);
      if (signal) throw new LangError("'break' and 'continue' belong inside a loop", 'SyntaxError');
      const value = block.valueOfLast ? block.valueOfLast(this.top) : undefined;
      return { ok: true, value: value === undefined || value === null ? null : this.bundle(value) };
    } catch (e) {
      const r = reportError(e, siteState.current as Site | null, this.sources);
      return { ok: false, ...r };
    } finally {
      this.output = prevOut;
      warnings.sink = prevWarn;
      siteState.current = null;
      enterContext(prevContext);
    }
  }

  bundle(v: Value): MimeBundle {
    return this.opts.mime?.(v) ?? { 'text/plain': show(v, true) };
  }

  complete(code: string, cursor: number) {
    return completeAt(code, cursor, this);
  }

  inspect(code: string, cursor: number, detail: 0 | 1) {
    return inspectAt(code, cursor, detail, this);
  }

  isComplete(code: string) {
    return isComplete(code);
  }

  /** What `explain compile` prints: which loops compiled themselves, and why the others did not. */
  compileReport(): string {
    return this.autoCompile.report(autoCompileEnabled());
  }

  /** The value bound to a global name now, if any. */
  lookup(name: string): Value | undefined {
    const c = this.globals.cells.get(name);
    if (c && typeof c.value !== 'symbol') return c.value;
    return this.builtins.values.get(name);
  }

  private host(code: string) {
    const builtins = this.builtins;
    return {
      globals: this.globals,
      builtin: (name: string) => builtins.values.get(name),
      builtinNames: () => [...builtins.values.keys()],
      out: () => this.output,
      builtinGroup: (name: string) => builtins.defs.get(name)?.group,
      autoCompile: this.autoCompile,
      explain: (s: A.Explain, v: Code, f: Frame) =>
        explainStatement(code.slice(s.expr.span.start.offset, s.expr.span.end.offset), () => v(f), this.output),
    };
  }
}

export function createSession(opts: SessionOptions = {}): NablaSession {
  return new NablaSession(opts);
}

export { Tensor };
