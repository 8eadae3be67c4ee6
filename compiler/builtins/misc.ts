import * as nb from '../../runtime';
import { Tensor } from '../../runtime';
import { gemmThreads } from '../../runtime/devices';
import { noteEscape } from '../../runtime/provenance';
import { iterate } from '../call';
import { LangError } from '../operators';
import { lengthOf, RangeValue, show, typeName, type Value } from '../values';
import { asInt, asNumber } from './convert';
import type { BuiltinContext, BuiltinTable } from './table';

/** Printing, ranges, conversions, script arguments, backends and constants. */
export function addMisc(t: BuiltinTable, ctx: BuiltinContext): void {
  t.add(
    'io',
    'print',
    ['*values', 'end="\\n"'],
    'Writes the values, separated by spaces, to the output.',
    (vals: Value[], end: Value) => {
      ctx.out().stdout(vals.map((v) => show(v)).join(' ') + (end === '\\n' ? '\n' : String(end)));
      return null;
    },
  );
  t.add(
    'io',
    'range',
    ['a', 'b=none', 'step=1'],
    'range(n) is 0..n; range(a, b, step) counts from a up to (not including) b.',
    (a: Value, b: Value, s: Value) => {
      const step = asInt(s, 'range', 'step');
      if (step === 0) throw new LangError('range: step must not be 0');
      return b === null
        ? new RangeValue(0, asInt(a, 'range', 'n'))
        : new RangeValue(asInt(a, 'range', 'a'), asInt(b, 'range', 'b'), step);
    },
  );
  t.add('io', 'len', ['x'], 'The number of items (the first dimension of a tensor).', (x: Value) => {
    const n = lengthOf(x);
    if (n !== null) return n;
    if (x instanceof Tensor) throw new LangError('len: a 0-dimensional tensor has no length');
    throw new LangError(`len: a ${typeName(x)} has no length`);
  });
  t.add(
    'io',
    'list',
    ['x'],
    'The items of a range, tuple, tensor (first dimension) or map (keys) as a list.',
    (x: Value) => [...iterate(x)],
  );
  t.add('io', 'str', ['x'], 'The text form of a value.', (x: Value) => show(x));
  // the value leaves the differentiable world here: remembered, so a missing gradient can name the line
  const escaping = (x: Value, how: string) => (x instanceof Tensor && noteEscape(x, how), x);
  t.add('io', 'float', ['x'], 'A number from a one-element tensor, a bool or a string.', (x: Value) =>
    typeof x === 'string' ? Number(x) : asNumber(escaping(x, 'float()'), 'float', 'x'),
  );
  t.add('io', 'int', ['x'], 'A whole number (truncating).', (x: Value) =>
    Math.trunc(typeof x === 'string' ? Number(x) : asNumber(escaping(x, 'int()'), 'int', 'x')),
  );
  t.add(
    'io',
    'args',
    ['name', 'default'],
    'A command-line value for scripts: `nabla run f.nabla --steps 500` makes args("steps", 2000) give 500 (the default\'s type decides how the text is read).',
    (name: Value, d: Value) => {
      if (typeof name !== 'string') throw new LangError('args: the name must be a string, e.g. args("steps", 2000)');
      const raw = ctx.scriptArgs.get(name);
      if (raw === undefined) return d;
      if (typeof d === 'number') {
        const n = Number(raw);
        if (Number.isNaN(n)) throw new LangError(`args: --${name} must be a number, got "${raw}"`);
        return n;
      }
      if (typeof d === 'boolean') return raw !== 'false' && raw !== '0';
      return raw;
    },
  );
  t.add(
    'runtime',
    'backend',
    [],
    'The backend running the tensors now, why it was chosen, why others were skipped, and on how many threads a big matmul runs.',
    () => {
      const r = nb.backendReport();
      const mm = gemmThreads();
      const size = Math.round(Math.cbrt(mm.splitFrom));
      const eager = mm.splitFromEager.toLocaleString('en-US');
      return [
        `backend: ${r.chosen} (${r.why})`,
        ...r.skipped.map((s) => `  skipped ${s.name}: ${s.why}`),
        `matmul (float32 and float64, from ${size}×${size}×${size} multiply-adds in compiled steps, ${eager} in eager calls): ${mm.threads === 2 ? '2 threads' : '1 thread'} (${mm.reason}; ${mm.splits} split so far${mm.paced ? `, ${mm.paced} run alone while the worker was starved of a core` : ''})`,
      ].join('\n');
    },
  );
  t.add(
    'runtime',
    'set_backend',
    ['name'],
    'Switches the backend: "webgpu", "webgl2" (browsers), "webasm", "cpu" or "js"; backend() says which run here.',
    (name: Value) => {
      if (typeof name !== 'string') throw new LangError('set_backend: give a backend name such as "cpu"');
      nb.setBackend(name);
      return null;
    },
  );
  t.constant('pi', Math.PI, 'π = 3.14159…');
  t.constant('e', Math.E, 'e = 2.71828…');
  t.constant('inf', Infinity, 'Positive infinity.');
  t.constant('nan', NaN, 'Not a number.');
}
