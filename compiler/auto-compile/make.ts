import type * as A from '../../grammar/ast';
import type { Compiler } from '../compiler';
import { getAttr } from '../members';
import type { Frame, Scope } from '../scope';
import { FN_INFO, type NablaFunction, type Value } from '../values';
import { LoopAuto } from './loop';

/** The auto-compiling side of a `for` or `while` statement, or null where loops are not run (nabla check). */
export function loopAuto(
  c: Compiler,
  s: A.For | A.While,
  codes: readonly ((f: Frame) => number | undefined)[],
  scope: Scope,
): LoopAuto | null {
  const log = c.host.autoCompile;
  if (!log || !s.body.body.length) return null;
  const site = c.site(s);
  const head = (site.text ?? '')
    .slice(0, s.body.span.start.offset - s.span.start.offset)
    .trim()
    .replace(/\s+/g, ' ');
  const group = (name: string) => c.host.builtinGroup?.(name);
  const builtinInfo = (fn: Value) => {
    const name = (fn as NablaFunction)[FN_INFO]?.name;
    if (!name || c.builtin(name) !== fn) return null;
    const g = group(name);
    return g === undefined ? null : { name, group: g };
  };
  const builtinByName = (name: string) => {
    const g = group(name);
    return g === undefined ? null : { name, group: g };
  };
  const targets = s.kind === 'For' ? s.targets.map((t) => t.name) : [];
  return new LoopAuto(
    s,
    head,
    c.file,
    codes,
    scope,
    targets,
    { builtin: builtinInfo, builtinByName, getAttr: (v, name) => getAttr(v, name, c.builtin) },
    log,
    (name) => group(name) !== undefined,
  );
}
