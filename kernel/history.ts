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

  query(q: HistoryQuery): Row[] {
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
        const re = globToRegExp(q.pattern ?? '*');
        picked = this.entries.filter((e) => re.test(e.input));
        if (q.unique) picked = picked.filter((e, i) => !picked.slice(i + 1).some((later) => later.input === e.input));
        if (q.n) picked = picked.slice(-q.n);
        break;
      }
      default:
        picked = q.n ? this.entries.slice(-q.n) : this.entries.slice(-10);
    }
    return picked.map((e) => [SESSION, e.line, q.output ? [e.input, e.output] : e.input]);
  }
}

/** IPython searches with SQLite GLOB: `*` and `?` wildcards, matching the whole input, case-sensitive. */
function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[\\s\\S]*').replace(/\?/g, '[\\s\\S]');
  return new RegExp(`^${body}$`);
}
