import { escapeHtml } from '../../display';
import { EXERCISES } from '../exercises';
import { collectingWarnings, judge } from '../exercises/kit';
import { LangError } from '../operators';
import { typeName, type Value } from '../values';
import type { BuiltinContext, BuiltinTable } from './table';

/**
 * check(exercise, answer) for the exercises of notebooks/exercises/: shows whether the answer is right and,
 * when it is not, a hint that says what is wrong with it. The references live in compiler/exercises/ and
 * compute the expected answers with the runtime; runtime warnings raised by a wrong answer go into the hint.
 */
export function addCheck(t: BuiltinTable, ctx: BuiltinContext): void {
  const names = [...EXERCISES.keys()];
  t.add('exercises', 'check', ['exercise', 'answer=none'],
    `Checks an exercise's answer and shows ✓ or a hint: check("derive-gradient", dL). Exercises: ${names.join(', ')}. Shows the verdict and returns none.`,
    (name: Value, answer: Value) => {
      if (typeof name !== 'string') throw new LangError(`check: the first argument names the exercise, one of ${names.map((n) => `"${n}"`).join(', ')}; got a ${typeName(name)}`);
      const ex = EXERCISES.get(name);
      if (!ex) throw new LangError(`check: there is no exercise "${name}"; the exercises are ${names.map((n) => `"${n}"`).join(', ')}`, 'ValueError');
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
    });
}
