/**
 * The inputs (and text outputs) of this kernel process, for history_request. Kept in memory: one session,
 * numbered SESSION; session 0 in a request means "this one", as in IPython's history manager.
 */
export const SESSION = 1;

export interface HistoryQuery {
  output?: boolean;
  hist_access_type?: 'tail' | 'range' | 'search';
  session?: number;
  start?: number;
  stop?: number | null;
  n?: number | null;
  pattern?: string;
  unique?: boolean;
}

interface Entry {
  line: number;
  input: string;
  output: string | null;
}

type Row = [number, number, string | [string, string | null]];

export class History {
  private entries: Entry[] = [];

  add(line: number, input: string, output: string | null): void {
    this.entries.push({ line, input, output });
  }

  get size(): number {
    return this.entries.length;
  }

  /** The rows a history_request asks for; throws a HistoryRequestError naming the field when it is malformed. */
  query(raw: Record<string, unknown>): Row[] {
    const q = validHistoryQuery(raw);
    let picked: Entry[];
    switch (q.hist_access_type) {
      case 'range': {
        if (q.session !== undefined && q.session !== 0 && q.session !== SESSION) return [];
        const start = q.start ?? 0;
        const stop = q.stop ?? Infinity;
        picked = this.entries.filter((e) => e.line >= start && e.line < stop);
        break;
      }
      case 'search': {
        const glob = compileGlob(q.pattern ?? '*');
        const budget = { left: SEARCH_BUDGET };
        picked = this.entries.filter((e) => globMatches(glob, e.input, budget));
        if (q.unique) {
          // the last of each input, in order (a Set from the end: linear, not quadratic)
          const later = new Set<string>();
          picked = picked
            .reverse()
            .filter((e) => !later.has(e.input) && later.add(e.input))
            .reverse();
        }
        if (q.n) picked = picked.slice(-q.n);
        break;
      }
      default:
        picked = q.n ? this.entries.slice(-q.n) : this.entries.slice(-10);
    }
    return picked.map((e) => [SESSION, e.line, q.output ? [e.input, e.output] : e.input]);
  }
}

/** A history_request the kernel cannot answer: the handler replies with status "error" and goes on. */
export class HistoryRequestError extends Error {}

/** Longest glob pattern searched for (IPython's are a few words). */
export const MAX_PATTERN = 10_000;
/** Character comparisons one search may make over the whole history before it is refused. */
export const SEARCH_BUDGET = 50_000_000;

const ACCESS_TYPES = ['tail', 'range', 'search'];

function validHistoryQuery(c: Record<string, unknown>): HistoryQuery {
  const bad = (field: string, want: string) =>
    new HistoryRequestError(`history_request: "${field}" must be ${want}, not ${describe(c[field])}`);
  const optional = (field: string, ok: (v: unknown) => boolean, want: string) => {
    if (c[field] !== undefined && c[field] !== null && !ok(c[field])) throw bad(field, want);
  };
  const int = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v);
  optional(
    'hist_access_type',
    (v) => typeof v === 'string' && ACCESS_TYPES.includes(v),
    `one of ${ACCESS_TYPES.map((t) => `"${t}"`).join(', ')}`,
  );
  optional('output', (v) => typeof v === 'boolean', 'true or false');
  optional('raw', (v) => typeof v === 'boolean', 'true or false');
  optional('unique', (v) => typeof v === 'boolean', 'true or false');
  optional('session', int, 'an integer');
  optional('start', int, 'an integer');
  optional('stop', int, 'an integer');
  optional('n', (v) => int(v) && (v as number) >= 0, 'a whole number');
  optional('pattern', (v) => typeof v === 'string', 'a string');
  if (typeof c.pattern === 'string' && c.pattern.length > MAX_PATTERN) {
    throw new HistoryRequestError(
      `history_request: the pattern has ${c.pattern.length} characters; the limit is ${MAX_PATTERN}`,
    );
  }
  const v = (k: string) => (c[k] === null ? undefined : c[k]);
  return {
    hist_access_type: v('hist_access_type') as HistoryQuery['hist_access_type'],
    output: v('output') as boolean | undefined,
    unique: v('unique') as boolean | undefined,
    session: v('session') as number | undefined,
    start: v('start') as number | undefined,
    stop: v('stop') as number | undefined,
    n: v('n') as number | undefined,
    pattern: v('pattern') as string | undefined,
  };
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (v === null) return 'null';
  return typeof v === 'string'
    ? 'a string'
    : typeof v === 'object'
      ? 'an object'
      : `${typeof v} ${String(v).slice(0, 20)}`;
}

/**
 * IPython searches with SQLite GLOB: `*` (any run) and `?` (any one character), matching the whole input,
 * case-sensitive. A pattern is its literal pieces between stars; pieces contain `?`.
 */
interface Glob {
  /** The pieces between stars; the first is anchored at the start and the last at the end ('' when a star is there). */
  pieces: string[][];
}

function compileGlob(pattern: string): Glob {
  return { pieces: pattern.split('*').map((p) => [...p]) };
}

/**
 * Whether `text` matches, with no backtracking: anchored ends are checked in place, and each middle piece is
 * taken at its leftmost place after the one before (leftmost is always right for `*`-separated pieces, so
 * no other place is ever tried). Work is at most |text|·|pattern| character comparisons, and every
 * comparison is charged to `budget`: a search past it is refused instead of freezing the kernel.
 */
function globMatches(g: Glob, input: string, budget: { left: number }): boolean {
  const text = [...input];
  const at = (piece: string[], pos: number) => {
    if (pos < 0 || pos + piece.length > text.length) return false;
    for (let k = 0; k < piece.length; k++) {
      if (--budget.left < 0)
        throw new HistoryRequestError(
          `history_request: the search needs more than ${SEARCH_BUDGET} comparisons; use a shorter pattern`,
        );
      if (piece[k] !== '?' && piece[k] !== text[pos + k]) return false;
    }
    return true;
  };
  const { pieces } = g;
  if (pieces.length === 1) return pieces[0].length === text.length && at(pieces[0], 0);
  const first = pieces[0];
  const last = pieces[pieces.length - 1];
  if (!at(first, 0)) return false;
  let pos = first.length;
  const end = text.length - last.length;
  if (end < pos || !at(last, end)) return false;
  for (let i = 1; i < pieces.length - 1; i++) {
    const p = pieces[i];
    let found = -1;
    for (let s = pos; s + p.length <= end; s++) {
      if (at(p, s)) {
        found = s;
        break;
      }
    }
    if (found < 0) return false;
    pos = found + p.length;
  }
  return true;
}
