import { Tensor } from '../runtime';
import { KEYWORDS } from '../grammar';
import { camel } from './call';
import { memberNames } from './members';
import type { NablaSession } from './nabla-session';
import type { Completion, MimeBundle } from './session';
import { FN_INFO, show, typeName, type NablaFunction, type Value } from './values';

/**
 * complete and inspect for the kernel and the playground. Cursor positions count Unicode code points (the
 * Jupyter protocol's rule), so the code is handled as an array of code points.
 */
const isIdent = (ch: string) => /[\p{L}\p{N}_]/u.test(ch);

function wordBefore(chars: string[], cursor: number): { start: number; word: string; dotTarget: string | null } {
  let start = cursor;
  while (start > 0 && isIdent(chars[start - 1])) start--;
  const word = chars.slice(start, cursor).join('');
  let dotTarget: string | null = null;
  if (start > 0 && chars[start - 1] === '.') {
    let s = start - 1;
    while (s > 0 && isIdent(chars[s - 1])) s--;
    dotTarget = chars.slice(s, start - 1).join('') || null;
  }
  return { start, word, dotTarget };
}

function membersOf(v: Value, session: NablaSession): string[] {
  if (v === undefined) return [];
  return memberNames(v, [...session.builtins.values.keys()], (n) => session.builtins.values.get(n));
}

export function completeAt(code: string, cursor: number, session: NablaSession): Completion {
  const chars = Array.from(code);
  const { start, word, dotTarget } = wordBefore(chars, Math.min(cursor, chars.length));
  let pool: string[];
  if (dotTarget) pool = membersOf(session.lookup(dotTarget), session);
  else pool = [...new Set([...session.globals.bound(), ...session.builtins.values.keys(), ...KEYWORDS])];
  const matches = pool.filter((n) => n.startsWith(word)).sort();
  return { matches, start, end: cursor };
}

export function inspectAt(
  code: string,
  cursor: number,
  detail: 0 | 1,
  session: NablaSession,
): { found: boolean; data: MimeBundle } {
  const chars = Array.from(code);
  let end = Math.min(cursor, chars.length);
  while (end < chars.length && isIdent(chars[end])) end++;
  const { word, dotTarget } = wordBefore(chars, end);
  if (!word) return { found: false, data: {} };
  const def = session.builtins.defs.get(word);
  if (def && !dotTarget) {
    const text = `${session.builtins.signature(word)}\n\n${def.doc}`;
    return { found: true, data: { 'text/plain': text } };
  }
  const owner = dotTarget ? session.lookup(dotTarget) : undefined;
  const v = dotTarget ? memberValue(owner, word) : session.lookup(word);
  if (v === undefined) return { found: false, data: {} };
  const info = typeof v === 'function' ? (v as NablaFunction)[FN_INFO] : undefined;
  const head = info
    ? `${info.name}(${info.params.join(', ')})`
    : `${dotTarget ? dotTarget + '.' : ''}${word}: ${typeName(v)}`;
  const body =
    detail === 1 || !(v instanceof Tensor)
      ? show(v, true)
      : `shape [${v.shape.join(', ')}], ${v.dtype}${v.gradFn ? `, grad_fn=<${v.gradFn.gradName}>` : ''}`;
  return { found: true, data: { 'text/plain': `${head}\n${info?.doc ?? body}` } };
}

function memberValue(owner: Value, name: string): Value | undefined {
  if (owner instanceof Tensor) {
    if (name === 'shape') return [...owner.shape];
    if (name === 'grad') return owner.grad;
    return undefined;
  }
  if (owner && typeof owner === 'object') {
    const o = owner as Record<string, Value>;
    return o[name] ?? o[camel(name)];
  }
  return undefined;
}
