// The session's worker: the compiler and runtime run here, not on the page's main thread, so that the
// webgpu backend can block (Atomics.wait) while the GPU worker computes, and a long cell never freezes the
// page. The page talks to it through session-client.ts (messages in protocol.ts): runs stream their
// outputs back as they happen; completion and hover are asked for asynchronously.
import { openSession, type Output } from '../../compiler';
import { suggestedNames } from '../../compiler/did-you-mean';
import { readStdin } from '../../compiler/stdin-channel';
import { failed, placeless } from '../../diagnostic';
import { valueBundle } from '../../display';
import { KEYWORDS } from '../../grammar';
import { backendReport, Interrupted, mode, NablaError, Tensor } from '../../runtime';
import {
  attachWebGPUAgent,
  gpuTraffic,
  guardStats,
  kernelCacheStats,
  kernelClasses,
  webgl2LiveTextures,
  webgpuAgentStats,
  webgpuDevice,
  webgpuLiveBuffers,
} from '../../runtime/devices';
import { backendStatuses, kernelCounts, selectBackend, snapshotKernels } from './backends';
import { type Calls, type CallName, type CompletionKind, type Init, type Reply, type Request } from './protocol';

const scope = self as unknown as { postMessage(m: Reply): void; onmessage: ((e: MessageEvent) => void) | null };
// a new session (Restart) is a new worker: session-client.ts ends this one. A run loads the engines its
// program draws with (Vega for plot, Graphviz for graph) before it starts: compiler/open-session.ts. It checks
// each cell before running it, as the Jupyter kernel does (the playground and JupyterLite run here)
const opened = openSession({ mime: valueBundle, checkBeforeRun: true });
const session = opened.session;
const keywords = new Set<string>(KEYWORDS);

// Interrupts and input() need memory shared with the page (a cross-origin isolated page): set by Init.
let interruptFlag: Int32Array | null = null;
let stdin: SharedArrayBuffer | null = null;
/** The request id of the run in progress (0: none); an interrupt names the run it stops. */
let running = 0;

/**
 * Blocks the cell until the page writes the front end's answer (state 1) or declines (state 2), in short
 * waits so that an interrupt still stops it (as kernel/worker.ts does in Node).
 */
function readInput(id: number, prompt: string, password: boolean, allowed: boolean): string {
  if (!allowed || !stdin) {
    const why = stdin
      ? 'this front end does not accept input'
      : 'input() needs a cross-origin isolated page (shared memory), and this one is not';
    throw new NablaError(`input: ${why}`, 'input');
  }
  const text = readStdin(
    stdin,
    () => scope.postMessage({ id, output: { kind: 'input', prompt, password } }),
    () => mode.checkInterrupt?.(),
  );
  if (text === null) throw new NablaError('input: the front end did not answer', 'input');
  return text;
}

type Handlers = {
  [K in CallName]: (args: Calls[K]['req'], id: number) => Calls[K]['reply'] | Promise<Calls[K]['reply']>;
};

const handlers: Handlers = {
  builtins: () => ({ names: [...session.builtins.defs.keys()] }),

  run: async ({ code, file, stdin }, id) => {
    const out: Output = {
      stdout: (text) => scope.postMessage({ id, output: { kind: 'stdout', text: String(text) } }),
      stderr: (text) => scope.postMessage({ id, output: { kind: 'stderr', text: String(text) } }),
      display: (bundle, opts = {}) =>
        scope.postMessage({ id, output: { kind: 'display', bundle, displayId: opts.displayId, update: opts.update } }),
      clearOutput: (wait = false) => scope.postMessage({ id, output: { kind: 'clear', wait } }),
      input: (prompt, o) => readInput(id, String(prompt ?? ''), !!o?.password, stdin === true),
    };
    await opened.prepare(code, out);
    // counted and timed from here: the run itself, not the engines it waited for
    const kernels = snapshotKernels();
    const t0 = performance.now();
    let result;
    running = id;
    try {
      result = session.run(code, out, { file });
    } catch (e) {
      result = failed([placeless('InternalError', String((e as Error)?.message ?? e), "a bug in Nabla's playground")]);
    } finally {
      running = 0;
      // an interrupt that came as the run ended must not stop the next one (it names this run's id)
      if (interruptFlag) Atomics.compareExchange(interruptFlag, 0, id, 0);
    }
    const ms = performance.now() - t0;
    const k = kernelCounts(kernels.byBackend, kernels.fallbacks);
    return { result, ms, backend: backendReport().chosen, kernels: { ...k.byBackend, ...(k.js ? { js: k.js } : {}) } };
  },

  complete: ({ code, cursor }) => {
    const c = session.complete(code, cursor);
    const kind = (m: string): CompletionKind => {
      const builtin = session.builtins.defs.get(m);
      if (keywords.has(m)) return 'keyword';
      if (builtin) return builtin.group === 'constants' ? 'constant' : 'function';
      return typeof session.lookup(m) === 'function' ? 'function' : 'variable';
    };
    return {
      start: c.start,
      end: c.end,
      items: c.matches.map((m) => ({
        label: m,
        kind: kind(m),
        detail: session.builtins.defs.has(m) ? session.builtins.signature(m) : keywords.has(m) ? 'keyword' : undefined,
      })),
    };
  },

  check: ({ code, earlier }) =>
    session.check(code, { earlier }).map((d) => ({
      message: d.message,
      severity: d.severity,
      from: d.span.start.offset,
      to: d.span.end.offset,
      line: d.span.start.line,
      col: d.span.start.col,
      endLine: d.span.end.line,
      endCol: d.span.end.col,
      suggestions: suggestedNames(d.message),
    })),

  /** Session.inspect's text/plain, split into its head (a signature or `name: type`) and the doc under it. */
  inspect: ({ code, cursor }) => {
    const r = session.inspect(code, cursor, 0);
    if (!r.found) return null;
    const text = String(r.data['text/plain'] ?? '');
    const nl = text.indexOf('\n');
    const head = nl < 0 ? text : text.slice(0, nl);
    const body = nl < 0 ? '' : text.slice(nl + 1).trim();
    // a value's text (a tensor's rows) keeps its layout in a code block; a builtin's doc is prose
    const prose = session.builtins.defs.has(head.replace(/\(.*$/s, ''));
    return { head, body: prose || !body ? body : '```\n' + body + '\n```' };
  },

  inspectBundle: ({ code, cursor, detail }) => session.inspect(code, cursor, detail),
  isComplete: ({ code }) => session.isComplete(code),

  backends: () => ({ statuses: backendStatuses(), report: backendReport() }),
  select: ({ name }) => selectBackend(name),

  values: ({ name }) => {
    const v = session.lookup(name);
    return v instanceof Tensor ? Array.from(v.toHost() as ArrayLike<number>) : null;
  },

  gpuStats: () => {
    const agent = webgpuAgentStats();
    const guard = (m: string) => (guardStats.get(m) ? { ...guardStats.get(m)! } : null);
    return {
      webgl2: {
        classes: [...new Set([...kernelClasses('webgl2').values()].map(String))],
        built: kernelCacheStats('webgl2').built,
        guard: guard('webgl2'),
        traffic: { ...gpuTraffic.webgl2, live: webgl2LiveTextures() },
      },
      webgpu: {
        agent: agent ? { classes: agent.classes, cache: agent.cache } : null,
        guard: guard('webgpu'),
        device: webgpuDevice(),
        traffic: { ...gpuTraffic.webgpu, live: webgpuLiveBuffers() },
      },
    };
  },
};

/** Requests answer in order: a run that waits for an engine holds the ones after it (the page sends one run at a time). */
let queue: Promise<void> = Promise.resolve();

scope.onmessage = (e: MessageEvent<Init | Request>) => {
  const m = e.data;
  if ('init' in m) {
    // without a port (a page that cannot share memory) the webgpu probe says why: channel.ts canBlock()
    if (m.gpuPort) attachWebGPUAgent(m.gpuPort, { helloTimeoutMs: 20_000 });
    if (m.interrupt) {
      const flag = new Int32Array(m.interrupt);
      interruptFlag = flag;
      // the compiler calls this at loop back-edges and the runtime at every op (runtime/mode.ts)
      mode.checkInterrupt = () => {
        if (running !== 0 && Atomics.compareExchange(flag, 0, running, 0) === running) throw new Interrupted();
      };
    }
    if (m.stdin) stdin = m.stdin;
    return;
  }
  queue = queue.then(async () => {
    try {
      const value = await (handlers[m.call] as (a: unknown, id: number) => unknown)(m.args, m.id);
      scope.postMessage({ id: m.id, ok: true, value });
    } catch (err) {
      const message = (err as Error)?.message ?? String(err);
      scope.postMessage({ id: m.id, ok: false, message });
    }
  });
};
