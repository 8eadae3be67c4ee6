import { escapeHtml } from '../../display';
import { EXERCISES } from '../exercises';
import { collectingWarnings, Hint, judge, right, type Exercise } from '../exercises/kit';
import { didYouMean } from '../did-you-mean';
import { Tensor } from '../../runtime';
import { asNumber, asTensor } from './convert';
import { LangError } from '../operators';
import { typeName, type Value } from '../values';
import type { BuiltinContext, BuiltinTable } from './table';

/**
 * check(exercise, answer) for the exercises of notebooks/exercises/: shows whether the answer is right and,
 * when it is not, a hint that says what is wrong with it. The references live in compiler/exercises/ and
 * compute the expected answers with the runtime; runtime warnings raised by a wrong answer go into the hint.
 */
export function addCheck(t: BuiltinTable, ctx: BuiltinContext): void {
  // a teacher's own exercises, added with exercise(...) in this session (a notebook's first cell)
  const own = new Map<string, Exercise>();
  const names = [...EXERCISES.keys()];
  t.add(
    'exercises',
    'exercise',
    ['name', 'reference', 'hint=none', 'rtol=1e-5', 'atol=1e-8'],
    'Adds an exercise that check(name, answer) then judges: the answer is right when it is close (allclose, with rtol= and atol=) to the reference, a value or a function of no arguments computing it; otherwise check shows hint. exercise("grad-of-square", fn() = 2 * x, hint="d/dx x² = 2x").',
    (name: Value, ref: Value, hint: Value, rtol: Value, atol: Value) => {
      if (typeof name !== 'string' || !name)
        throw new LangError(`exercise: the first argument is the exercise's name, a string; got a ${typeName(name)}`);
      if (hint !== null && typeof hint !== 'string')
        throw new LangError(`exercise: hint= must be a string, got a ${typeName(hint)}`);
      own.set(
        name,
        referenceExercise(
          name,
          ref,
          hint as string | null,
          asNumber(rtol, 'exercise', 'rtol'),
          asNumber(atol, 'exercise', 'atol'),
        ),
      );
      return null;
    },
  );
  t.add(
    'exercises',
    'check',
    ['exercise', 'answer=none'],
    `Checks an exercise's answer and shows ✓ or a hint: check("derive-gradient", dL). Exercises: ${names.join(', ')}. Shows the verdict and returns none.`,
    (name: Value, answer: Value) => {
      const all = [...own.keys(), ...names];
      if (typeof name !== 'string')
        throw new LangError(
          `check: the first argument names the exercise, one of ${all.map((n) => `"${n}"`).join(', ')}; got a ${typeName(name)}`,
        );
      const ex = own.get(name) ?? EXERCISES.get(name);
      if (!ex)
        throw new LangError(
          `check: there is no exercise "${name}"${didYouMean(name, all)} The exercises are ${all.map((n) => `"${n}"`).join(', ')} (exercise(name, reference) adds one).`.replace(
            `"${name}" The`,
            `"${name}". The`,
          ),
          'ValueError',
        );
      const { value: verdict, warnings } = collectingWarnings(() => judge(ex, answer));
      const text = verdict.ok
        ? `✓ ${name}: right. ${verdict.note}`
        : `✗ ${name}: not yet. ${verdict.hint}${warnings.length ? ` (The runtime also warned: ${warnings.join(' ')})` : ''}`;
      const color = verdict.ok ? '#1a7f37' : '#9a6700';
      ctx.out().display({
        'text/plain': text,
        'text/html': `<div style="border-left:4px solid ${color};padding:4px 8px;font-family:sans-serif"><b style="color:${color}">${escapeHtml(text.slice(0, text.indexOf(':') + 1))}</b>${escapeHtml(text.slice(text.indexOf(':') + 1))}</div>`,
      });
      return null;
    },
  );
}

/** An exercise from a reference: the answer must be allclose to it (same shape after broadcasting). */
function referenceExercise(name: string, ref: Value, hint: string | null, rtol: number, atol: number): Exercise {
  const task = hint ?? `compute the value exercise "${name}" asks for`;
  return {
    name,
    task,
    check(answer: Value) {
      if (answer === null || answer === undefined) throw new Hint(`nothing to check yet: ${task}`);
      const expected = asTensor(typeof ref === 'function' ? (ref as () => Value)() : ref, 'exercise', 'reference');
      if (!(answer instanceof Tensor) && typeof answer !== 'number' && !Array.isArray(answer))
        throw new Hint(`the answer is a ${typeName(answer)}, but a tensor or number is expected. ${task}`);
      const got = asTensor(answer, 'check', 'answer');
      const same = got.shape.length === expected.shape.length && got.shape.every((d, i) => d === expected.shape[i]);
      if (!same)
        throw new Hint(
          `the answer has shape [${got.shape.join(', ')}], but it must be [${expected.shape.join(', ')}]. ${task}`,
        );
      const a = got.toHost() as ArrayLike<number>;
      const b = expected.toHost() as ArrayLike<number>;
      for (let i = 0; i < b.length; i++)
        if (!(a[i] === b[i] || Math.abs(a[i] - b[i]) <= atol + rtol * Math.abs(b[i])))
          throw new Hint(hint ?? 'the values differ from the reference');
      return right('It matches the reference.');
    },
  };
}
