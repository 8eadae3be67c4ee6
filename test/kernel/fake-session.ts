/**
 * A toy Session for the kernel's tests, loaded by the kernel's worker through NABLA_KERNEL_SESSION (or the
 * executor's sessionModule). It speaks a sliver of Nabla's syntax, one statement per line, so the same cells
 * run here and in the real language: `x = 1`, `print(x, "a")`, `x + 1`, `zeros(2, 3)`, `display(e)`,
 * `while true { }`, `for i in progress(range(3)) { }`, `plot([1, 2], [3, 4])`. Test-only extras the real language lacks: `input("p")`, `eprint(e)`, `clear_output()`,
 * `crash()` (ends the worker), `hang()` (spins without interrupt checks), `grow()` (allocates without end).
 */
import { zeros, mode } from '../../runtime';
import { loadCharts, plot, Progress } from '../../display';
import type { Completion, MimeBundle, Output, RunResult, Session } from '../../compiler/session';
import type { KernelOutput } from '../../kernel/types';
import { failed } from '../../diagnostic';

// the real language loads Vega when a program calls plot (compiler/open-session.ts); this fake, which the
// kernel opens with createSession only, has it from the start so that its charts carry their SVG too
await loadCharts();

const BUILTINS: Record<string, string> = {
  print: 'print(*values)\n\nWrites the values, separated by spaces, to the output.',
  zeros: 'zeros(*shape)\n\nA tensor of 0s.',
  display: 'display(x)\n\nShows x as rich output.',
  input: 'input(prompt)\n\nReads a line from the front end.',
  plot: 'plot(x, y)\n\nA line chart.',
  eprint: 'eprint(*values)\n\nWrites to stderr.',
  clear_output: 'clear_output()\n\nClears the cell output.',
  progress: 'progress(iterable)\n\nA progress bar.',
};

class FakeError extends Error {
  constructor(
    readonly ename: string,
    message: string,
    readonly col: number,
  ) {
    super(message);
  }
}

export function createSession(opts: { mime?: (v: unknown) => MimeBundle | null } = {}): Session {
  const vars = new Map<string, unknown>();
  const show = (v: unknown): string => (typeof v === 'string' ? v : String(v));
  const bundle = (v: unknown): MimeBundle =>
    opts.mime?.(v) ?? { 'text/plain': typeof v === 'string' ? JSON.stringify(v) : show(v) };

  function evaluate(src: string, base: number, out: KernelOutput): unknown {
    const s = src.trim();
    const col = base + src.indexOf(s);
    if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s);
    if (/^"[^"]*"$/.test(s)) return s.slice(1, -1);
    if (/^\[.*\]$/.test(s))
      return s.slice(1, -1).trim() ? topLevelSplit(s.slice(1, -1), ',').map((a) => evaluate(a, col + 1, out)) : [];
    const plus = topLevelSplit(s, '+');
    if (plus.length > 1) {
      let offset = 0;
      return plus.reduce<number>((acc, part) => {
        const v = evaluate(part, col + offset, out);
        offset += part.length + 1;
        return acc + (v as number);
      }, 0);
    }
    const call = /^([A-Za-z_]\w*)\((.*)\)$/.exec(s);
    if (call) {
      const argsStart = col + call[1].length + 1;
      let offset = 0;
      const args = (call[2].trim() ? topLevelSplit(call[2], ',') : []).map((a) => {
        const v = evaluate(a, argsStart + offset, out);
        offset += a.length + 1;
        return v;
      });
      switch (call[1]) {
        case 'print':
          out.stdout(args.map(show).join(' ') + '\n');
          return undefined;
        case 'eprint':
          out.stderr(args.map(show).join(' ') + '\n');
          return undefined;
        case 'display':
          out.display(bundle(args[0]));
          return undefined;
        case 'plot':
          out.display(plot(args[0], args[1]));
          return undefined;
        case 'zeros':
          return zeros(args as number[]);
        case 'input':
          if (!out.input) throw new FakeError('ValueError', 'input is not available', col);
          return out.input(String(args[0] ?? ''));
        case 'clear_output':
          out.clearOutput?.(false);
          return undefined;
        case 'crash':
          process.exit(3);
          return undefined;
        case 'hang':
          for (;;);
        case 'grow': {
          const keep: number[][] = [];
          for (;;) keep.push(new Array(1e5).fill(keep.length));
        }
        default:
          throw new FakeError('NameError', `'${call[1]}' is not defined`, col);
      }
    }
    if (/^[A-Za-z_]\w*$/.test(s)) {
      if (!vars.has(s)) throw new FakeError('NameError', `'${s}' is not defined`, col);
      return vars.get(s);
    }
    throw new FakeError('SyntaxError', `cannot read '${s}'`, col);
  }

  return {
    run(code: string, out: Output, opts2: { file?: string } = {}): RunResult {
      const file = opts2.file ?? 'cell';
      const lines = code.split('\n');
      let value: unknown;
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i];
        value = undefined;
        try {
          if (!line.trim() || line.trim().startsWith('#')) continue;
          if (/^\s*while true\s*\{\s*\}\s*$/.test(line)) {
            for (;;) mode.checkInterrupt?.();
          }
          const loop = /^\s*for \w+ in progress\(range\((\d+)\)\) \{\s*\}\s*$/.exec(line);
          if (loop) {
            const n = Number(loop[1]);
            for (const _ of new Progress(
              Array.from({ length: n }, (_, k) => k),
              out,
            ))
              mode.checkInterrupt?.();
            continue;
          }
          const assign = /^\s*([A-Za-z_]\w*)\s*=(?!=)(.*)$/.exec(line);
          if (assign) vars.set(assign[1], evaluate(assign[2], line.indexOf('=') + 1, out as KernelOutput));
          else value = evaluate(line, 0, out as KernelOutput);
        } catch (e) {
          const err = e instanceof FakeError ? e : null;
          const ename = err?.ename ?? (e as Error).name;
          const col = err?.col ?? 0;
          const place = { file, line: i + 1, col: col + 1, label: '' };
          return failed([{ kind: ename, message: (e as Error).message, places: [place], notes: [] }], () => code);
        }
      }
      return { ok: true, value: value === undefined ? null : bundle(value) };
    },

    complete(code: string, cursor: number): Completion {
      const points = [...code];
      let start = cursor;
      while (start > 0 && /\w/.test(points[start - 1])) start--;
      const prefix = points.slice(start, cursor).join('');
      const names = [...new Set([...vars.keys(), ...Object.keys(BUILTINS), 'while', 'true', 'false'])];
      return { matches: names.filter((n) => n.startsWith(prefix)).sort(), start, end: cursor };
    },

    inspect(code: string, cursor: number) {
      const points = [...code];
      let a = Math.min(cursor, points.length);
      let b = a;
      while (a > 0 && /\w/.test(points[a - 1])) a--;
      while (b < points.length && /\w/.test(points[b])) b++;
      const name = points.slice(a, b).join('');
      if (BUILTINS[name]) return { found: true, data: { 'text/plain': BUILTINS[name] } };
      if (vars.has(name)) return { found: true, data: { 'text/plain': `${name}: ${show(vars.get(name))}` } };
      return { found: false, data: {} };
    },

    isComplete(code: string) {
      let depth = 0;
      let braces = 0;
      for (const ch of code.replace(/"[^"\n]*"/g, '""')) {
        if ('([{'.includes(ch)) depth++;
        if (ch === '{') braces++;
        if (')]}'.includes(ch)) {
          if (--depth < 0) return { status: 'invalid' as const, indent: '' };
          if (ch === '}') braces--;
        }
      }
      if (depth > 0) return { status: 'incomplete' as const, indent: braces > 0 ? '  '.repeat(braces) : '' };
      return { status: 'complete' as const, indent: '' };
    },
  };
}

/** Splits at `sep` outside brackets and strings. */
function topLevelSplit(s: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let last = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '"') quoted = !quoted;
    else if (!quoted && '([{'.includes(ch)) depth++;
    else if (!quoted && ')]}'.includes(ch)) depth--;
    else if (!quoted && depth === 0 && ch === sep) {
      parts.push(s.slice(last, i));
      last = i + 1;
    }
  }
  parts.push(s.slice(last));
  return parts;
}
