import { parseParam } from '../bind';
import { makeFunction, type ParamSpec } from '../call';

export { parseParam } from '../bind';
import type { Output } from '../session';
import { FN_INFO, type Value } from '../values';

/**
 * The builtin table: every builtin with its signature and a one-paragraph doc. Completion and inspect in the
 * kernel read it, the docs list it, and the compiler binds names to it.
 */
export interface BuiltinDef {
  name: string;
  params: ParamSpec[];
  doc: string;
  impl: (...args: Value[]) => Value;
  /** For signatures in docs: the group the builtin belongs to. */
  group: string;
}

export interface BuiltinContext {
  out(): Output;
  scriptArgs: Map<string, string>;
  /** The MIME bundle a front end shows for a value (display(x) uses it). */
  bundle(v: Value): Record<string, unknown>;
}

export class BuiltinTable {
  readonly defs = new Map<string, BuiltinDef>();
  readonly values = new Map<string, Value>();

  add(group: string, name: string, params: (string | ParamSpec)[], doc: string, impl: (...args: any[]) => Value): void {
    if (this.defs.has(name)) throw new Error(`builtin ${name} is defined twice`);
    const specs = params.map((p) => (typeof p === 'string' ? parseParam(p) : p));
    this.defs.set(name, { name, params: specs, doc, impl, group });
    const f = makeFunction(name, specs, impl, doc);
    f[FN_INFO]!.group = group;
    this.values.set(name, f);
  }

  constant(name: string, value: Value, doc: string): void {
    this.defs.set(name, { name, params: [], doc, impl: () => value, group: 'constants' });
    this.values.set(name, value);
  }

  signature(name: string): string {
    const d = this.defs.get(name);
    if (!d) return name;
    if (d.group === 'constants') return name;
    return `${name}(${d.params.map(fmtParam).join(', ')})`;
  }
}

/** "x", "*shape", "axis=none" (none/true/false/numbers/strings parsed). */
function fmtParam(p: ParamSpec): string {
  if (p.rest) return `*${p.name}`;
  if (!('default' in p)) return p.name;
  const d = p.default;
  return `${p.name}=${d === null ? 'none' : typeof d === 'string' ? JSON.stringify(d) : typeof d === 'function' ? d.name : String(d)}`;
}
