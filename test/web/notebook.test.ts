// The playground's pieces that need no browser: the generated Monarch grammar, the .ipynb and localStorage
// formats, error places and position conversions, and that the built-in examples run.
import { describe, expect, it } from 'vitest';
import { createSession } from '../../compiler';
import { valueBundle } from '../../display';
import { CONTEXTUAL_KEYWORDS, KEYWORDS, OPERATORS } from '../../grammar';
import { EXAMPLES } from '../../web/src/examples';
import { monarchLanguage } from '../../web/src/monarch';
import {
  cellFile,
  codePointOffset,
  errorPlaces,
  fromIpynb,
  ipynbText,
  load,
  newCell,
  save,
  STORAGE_KEY,
  toIpynb,
  utf16Column,
  utf16Offset,
  type Notebook,
  type StorageLike,
} from '../../web/src/notebook';

describe('the Monarch tokenizer is generated from grammar/', () => {
  const lang = monarchLanguage({ builtins: ['sum', 'grad'] }) as unknown as {
    keywords: string[];
    builtins: string[];
    tokenizer: { root: [RegExp, unknown][] };
  };
  const rules = lang.tokenizer.root.map(([re]) => re);

  it('lists every reserved keyword, and finds contextual ones before a block', () => {
    const reserved = KEYWORDS.filter((k) => !CONTEXTUAL_KEYWORDS.includes(k));
    expect(new Set(lang.keywords)).toEqual(new Set(reserved));
    const contextualRule = rules.find((re) => CONTEXTUAL_KEYWORDS.every((k) => re.source.includes(k)));
    expect(contextualRule, 'a rule for the contextual keywords').toBeDefined();
  });

  it('has a rule matching every operator of the grammar, whole', () => {
    for (const op of OPERATORS) {
      // Monarch writes a literal @ as @@ in its regex sources; compile as Monarch does
      const hit = rules.some((re) => {
        const m = new RegExp(`^(?:${re.source.replace(/@@/g, '@')})`, 'u').exec(op);
        return m !== null && m[0] === op;
      });
      expect(hit, `operator ${op}`).toBe(true);
    }
  });

  it('compiles under the u flag Monarch uses (unicode: true)', () => {
    expect((lang as unknown as { unicode: boolean }).unicode).toBe(true);
    for (const re of rules) expect(() => new RegExp(re.source.replace(/@@/g, '@'), 'u')).not.toThrow();
  });
});

describe('.ipynb export and import', () => {
  const nb: Notebook = {
    backend: 'cpu',
    cells: [
      { ...newCell('# Title\nsome *text*', 'markdown') },
      {
        ...newCell('x = 1\nprint(x)\nx'),
        executionCount: 3,
        outputs: [
          { output_type: 'stream', name: 'stdout', text: '1\n' },
          {
            output_type: 'execute_result',
            data: { 'text/plain': 'tensor([1.,\n 2.])', 'text/html': '<table>\n</table>' },
            metadata: {},
            execution_count: 3,
          },
          {
            output_type: 'display_data',
            data: { 'text/plain': 'chart', 'application/vnd.vegalite.v5+json': { mark: 'line' } },
            metadata: {},
            transient: { display_id: 'p1' },
          },
          {
            output_type: 'error',
            ename: 'NameError',
            evalue: 'no y',
            traceback: ['cell-a:1:1: NameError: no y\n  y\n  ^'],
          },
        ],
      },
    ],
  };

  it('writes nbformat 4.5 with the nabla kernelspec and line-list strings', () => {
    const doc = toIpynb(nb) as any;
    expect(doc.nbformat).toBe(4);
    expect(doc.nbformat_minor).toBe(5);
    expect(doc.metadata.kernelspec).toEqual({ name: 'nabla', display_name: 'Nabla', language: 'nabla' });
    expect(doc.metadata.language_info.name).toBe('nabla');
    expect(doc.cells[1].source).toEqual(['x = 1\n', 'print(x)\n', 'x']);
    expect(doc.cells[1].outputs[1].data['text/plain']).toEqual(['tensor([1.,\n', ' 2.])']);
    // JSON MIME types stay objects; transient display ids are not saved
    expect(doc.cells[1].outputs[2].data['application/vnd.vegalite.v5+json']).toEqual({ mark: 'line' });
    expect(doc.cells[1].outputs[2].transient).toBeUndefined();
    for (const c of doc.cells) expect(c.id).toMatch(/^[a-zA-Z0-9-_]{1,64}$/);
  });

  it('reads back what it wrote', () => {
    const back = fromIpynb(ipynbText(nb));
    expect(back.backend).toBe('cpu');
    expect(back.cells.map((c) => [c.id, c.type, c.source])).toEqual(nb.cells.map((c) => [c.id, c.type, c.source]));
    const outs = back.cells[1].outputs;
    expect(outs[0]).toEqual({ output_type: 'stream', name: 'stdout', text: '1\n' });
    expect(outs[1]).toMatchObject({ data: { 'text/plain': 'tensor([1.,\n 2.])' }, execution_count: 3 });
    expect(outs[3]).toMatchObject({ output_type: 'error', ename: 'NameError' });
  });

  it('reads Jupyter notebooks without ids, with raw cells and string sources; refuses what is not one', () => {
    const jupyter = JSON.stringify({
      nbformat: 4,
      nbformat_minor: 4,
      metadata: {},
      cells: [
        {
          cell_type: 'code',
          source: 'a = 1',
          outputs: [{ output_type: 'unknown' }],
          execution_count: null,
          metadata: {},
        },
        { cell_type: 'raw', source: ['raw'], metadata: {} },
        { cell_type: 'code', id: 'dup', source: [], outputs: [], metadata: {} },
        { cell_type: 'code', id: 'dup', source: [], outputs: [], metadata: {} },
      ],
    });
    const back = fromIpynb(jupyter);
    expect(back.cells.map((c) => c.type)).toEqual(['code', 'markdown', 'code', 'code']);
    expect(back.cells[0].source).toBe('a = 1');
    expect(back.cells[0].outputs).toEqual([]);
    expect(new Set(back.cells.map((c) => c.id)).size).toBe(4);
    expect(() => fromIpynb('{')).toThrow(/not JSON/);
    expect(() => fromIpynb('{"nbformat": 3, "cells": []}')).toThrow(/nbformat 4/);
    expect(() => fromIpynb('[]')).toThrow(/no "cells"/);
  });
});

describe('localStorage', () => {
  const memory = (limit = Infinity): StorageLike & { map: Map<string, string> } => {
    const map = new Map<string, string>();
    return {
      map,
      getItem: (k) => map.get(k) ?? null,
      setItem: (k, v) => {
        if (v.length > limit) throw new Error('QuotaExceededError');
        map.set(k, v);
      },
    };
  };
  const nb: Notebook = {
    backend: null,
    cells: [{ ...newCell('x = 1'), outputs: [{ output_type: 'stream', name: 'stdout', text: 'y'.repeat(5000) }] }],
  };

  it('saves and loads a notebook', () => {
    const s = memory();
    expect(save(s, nb)).toBe('all');
    expect(load(s)).toEqual(nb);
  });

  it('drops outputs when they overflow the quota, and survives garbage', () => {
    const s = memory(1000);
    expect(save(s, nb)).toBe('sources');
    expect(load(s)?.cells[0]).toMatchObject({ source: 'x = 1', outputs: [] });
    s.map.set(STORAGE_KEY, 'not json');
    expect(load(s)).toBeNull();
    expect(load(memory())).toBeNull();
  });
});

describe('error places and positions', () => {
  it("reads the places of a failed run's diagnostics: the error's own, its callers', a syntax error's", () => {
    const session = createSession({ mime: valueBundle });
    const sink = { stdout: () => {}, stderr: () => {}, display: () => {} };
    expect(session.run('W = zeros(3, 2)\nfn f(x) = x @ W', sink, { file: 'cell-a' }).ok).toBe(true);
    const run = session.run('x = zeros(2, 2)\nz = f(x)', sink, { file: 'cell-b' });
    const syntax = session.run('y = 1 +', sink, { file: 'cell-c' });
    if (run.ok || syntax.ok) throw new Error('both runs should fail');
    expect(errorPlaces(run.diagnostics)).toEqual([
      { file: 'cell-a', line: 2, col: 11, message: `ShapeError: ${run.evalue}`, severity: 'error' },
      { file: 'cell-b', line: 2, col: 5, message: 'called from here', severity: 'note' },
    ]);
    expect(errorPlaces(syntax.diagnostics)).toEqual([
      { file: 'cell-c', line: 1, col: 7, message: syntax.evalue, severity: 'error' },
    ]);
    // the places are the ones the traceback's text names
    expect(syntax.traceback[0].startsWith('cell-c:1:7: error: ')).toBe(true);
    expect(run.traceback[0].startsWith('cell-a:2:11: ShapeError: ')).toBe(true);
    expect(run.traceback[1].startsWith('cell-b:2:5: note: called from here')).toBe(true);
    expect(cellFile({ id: 'abc' })).toBe('cell-abc');
  });

  it('converts code-point offsets (Nabla, Jupyter) to UTF-16 ones (Monaco) and back', () => {
    const s = 'a𝑥 = ∇b';
    expect(utf16Offset(s, 2)).toBe(3);
    expect(codePointOffset(s, 3)).toBe(2);
    for (let i = 0; i <= Array.from(s).length; i++) expect(codePointOffset(s, utf16Offset(s, i))).toBe(i);
    expect(utf16Column('𝑥 = 1', 3)).toBe(4);
  });
});

describe('built-in examples', () => {
  for (const ex of EXAMPLES) {
    it(`"${ex.title}" runs top to bottom (its deliberate errors aside)`, () => {
      const session = createSession({ mime: valueBundle });
      const sink = { stdout: () => {}, stderr: () => {}, display: () => {} };
      const results = ex.cells.filter((c) => c.type === 'code').map((c) => ({ c, r: session.run(c.source, sink) }));
      for (const { c, r } of results) {
        const deliberate = c.source.includes('# fails') || !!c.tags?.includes('raises-exception');
        expect(r.ok, `${c.source}\n${r.ok ? '' : r.traceback.join('\n')}`).toBe(!deliberate);
      }
    });
  }
});
