import { chooseBackend, setBackend, type BackendReport } from '../runtime';
import { Identifier, nablaLexer } from '../grammar/tokens';
import { createSession, type NablaSession, type SessionOptions } from './nabla-session';
import type { Output, RunResult } from './session';

/**
 * The one way a front end (the CLI, the Jupyter kernel's worker, the playground's worker) opens the language:
 * a Session on a chosen backend, whose optional engines load the first time a program needs them.
 *
 * Session.run is synchronous, and some builtins draw with engines that load asynchronously (Vega for plot's
 * SVG, Graphviz in WebAssembly for graph's). So `run` here first looks at the names the program uses (its
 * identifier tokens, not its text: a name in a string or comment does not count), loads the engines those
 * builtins need, once, then runs. A program that draws nothing loads nothing.
 */
export interface OpenSessionOptions extends SessionOptions {
  /** A backend name, or 'auto' (the runtime's choice, NABLA_BACKEND included); absent: leave the current one. */
  backend?: string;
  /** Where runs write when `run` is given no sinks (the CLI's stdout/stderr). */
  out?: Output;
  /** An engine that could not load (the program still runs; its drawings lack what the engine adds). */
  onWarning?: (message: string) => void;
}

/** An optional engine: which builtins need it, how it loads, and what is lost without it. */
interface Engine {
  builtins: readonly string[];
  load(): Promise<void>;
  without: string;
}

const ENGINES: readonly Engine[] = [
  {
    builtins: ['plot', 'scatter'],
    load: () => import('../display').then((d) => d.loadCharts()),
    without: 'charts will have no SVG fallback: Vega could not be loaded',
  },
  {
    builtins: ['graph', 'stepper'],
    load: () => import('../runtime/explain').then((x) => x.loadGraphviz()),
    without: 'graph() and stepper() will be slow or ask for a retry: Graphviz could not be loaded',
  },
];

const quiet: Output = { stdout: () => {}, stderr: () => {}, display: () => {} };

export class OpenSession {
  /** The engines asked for so far (each loads once, whatever the outcome). */
  private readonly loading = new Map<Engine, Promise<void>>();

  constructor(
    /** The synchronous Session: completion, inspection, the builtin table, globals. */
    readonly session: NablaSession,
    /** The backend chosen when the session opened (null: left as it was). */
    readonly backend: BackendReport | null,
    private readonly opts: OpenSessionOptions,
  ) {}

  /** Loads the engines `code` needs and has not loaded yet. Never rejects: a failed load is a warning. */
  async prepare(code: string, out: Output = this.opts.out ?? quiet): Promise<void> {
    const wanted = ENGINES.filter((e) => !this.loading.has(e) && e.builtins.some((b) => code.includes(b)));
    if (!wanted.length) return;
    // only now, when a name appears in the text, look at the tokens
    const names = new Set(
      nablaLexer
        .tokenize(code)
        .tokens.filter((t) => t.tokenType === Identifier)
        .map((t) => t.image),
    );
    const needed = wanted.filter((e) => e.builtins.some((b) => names.has(b)));
    await Promise.all(
      needed.map((e) => {
        const p = e.load().catch(() => this.warn(e.without, out));
        this.loading.set(e, p);
        return p;
      }),
    );
  }

  /** Runs `code` once what it needs has loaded; like Session.run, never rejects for the user's mistake. */
  async run(code: string, out: Output = this.opts.out ?? quiet, runOpts: { file?: string } = {}): Promise<RunResult> {
    await this.prepare(code, out);
    return this.session.run(code, out, runOpts);
  }

  private warn(message: string, out: Output): void {
    if (this.opts.onWarning) this.opts.onWarning(message);
    else out.stderr(`Warning: ${message}\n`);
  }
}

/**
 * Opens a session. `backend` is selected first: a backend that cannot run here throws the runtime's sentence
 * (a NablaError), before any program runs. Nothing loads yet: `run` loads what each program needs.
 */
export function openSession(opts: OpenSessionOptions = {}): OpenSession {
  const backend =
    opts.backend === undefined ? null : opts.backend === 'auto' ? chooseBackend() : setBackend(opts.backend);
  return new OpenSession(createSession(opts), backend, opts);
}
