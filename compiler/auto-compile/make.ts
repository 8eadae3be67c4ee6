import type * as A from '../../grammar/ast';
import type { Compiler } from '../compiler';
import { getAttr } from '../members';
import type { Frame, Scope } from '../scope';
import { FN_INFO, type NablaFunction, type Value } from '../values';
import { neverTraced } from './call-site';
import { FunctionAuto, type FunctionStatic } from './function';
import { LoopAuto } from './loop';
import type { RecorderHost } from './recorder';

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
  const targets = s.kind === 'For' ? s.targets.map((t) => t.name) : [];
  return new LoopAuto(
    s,
    head,
    c.file,
    codes,
    scope,
    targets,
    recorderHost(c),
    log,
    (name) => group(name) !== undefined,
  );
}

/** The self-compiling side of a named user function (./function.ts), or null where nothing runs (nabla check). */
export function functionAuto(
  c: Compiler,
  def: A.FnDef,
): ((outer: Frame, run: (args: readonly Value[]) => Value) => FunctionAuto) | null {
  const log = c.host.autoCompile;
  if (!log) return null;
  if (def.decorators.some((d) => d.expr.kind === 'Name' && d.expr.name === 'compile')) return null; // compiled by hand
  const st: FunctionStatic = {
    name: def.name.name,
    file: c.file,
    line: def.span.start.line,
    never: neverTraced(def.body),
    host: recorderHost(c),
    log,
  };
  return (outer, run) => new FunctionAuto(st, outer, run);
}

/** Which builtin a value is (and its group in the builtin table), and attributes read as the language reads them. */
function recorderHost(c: Compiler): RecorderHost {
  const group = (name: string) => c.host.builtinGroup?.(name);
  return {
    builtin: (fn: Value) => {
      const name = (fn as NablaFunction)[FN_INFO]?.name;
      if (!name || c.builtin(name) !== fn) return null;
      const g = group(name);
      return g === undefined ? null : { name, group: g };
    },
    builtinByName: (name: string) => {
      const g = group(name);
      return g === undefined ? null : { name, group: g };
    },
    getAttr: (v, name) => getAttr(v, name, c.builtin),
  };
}
