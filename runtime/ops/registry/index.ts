import { ELEMENTWISE, KERNEL_FNS } from './elementwise';
import { HELPERS, portableJs } from './helpers';
import type { ElementwiseEntry, KernelFn, OpEntry, ParamDecl } from './types';

export * from './types';
export { ELEMENTWISE, KERNEL_FNS } from './elementwise';
export { HELPERS, portableJs } from './helpers';

/**
 * The registry: families of op entries (README.md). Elementwise is declared in ./elementwise.ts; other
 * families (reductions, nn, indexing, linalg) declare their tables next to their ops and register them
 * here, so docs, builtins and tests can enumerate every op the same way.
 */
const families = new Map<string, readonly OpEntry[]>([['elementwise', ELEMENTWISE]]);

export function registerFamily(family: string, entries: readonly OpEntry[]): void {
  if (families.has(family) && families.get(family) !== entries)
    throw new Error(`op family ${family} is registered twice`);
  const seen = new Set(
    allEntries()
      .filter((e) => e.family !== family)
      .map((e) => e.name),
  );
  for (const e of entries) {
    if (e.family !== family) throw new Error(`${e.name} is declared in family ${e.family}, registered under ${family}`);
    if (seen.has(e.name)) throw new Error(`op ${e.name} is declared twice`);
  }
  families.set(family, entries);
}

/** Each family's title in the docs' op reference; this order is the docs' (and allEntries') order. */
export const FAMILY_TITLES: Readonly<Record<string, string>> = {
  elementwise: 'Elementwise',
  reduction: 'Reductions',
  nn: 'Neural-network functions',
  indexing: 'Indexing and shape',
  linalg: 'Linear algebra',
};
const ORDER = Object.keys(FAMILY_TITLES);

/** The registered families in FAMILY_TITLES' order (not import order), then any others as registered. */
export const familyNames = (): string[] => {
  const rank = (f: string) => (ORDER.includes(f) ? ORDER.indexOf(f) : ORDER.length);
  return [...families.keys()].sort((a, b) => rank(a) - rank(b));
};
export const familyOf = (family: string): readonly OpEntry[] => families.get(family) ?? [];
export const allEntries = (): OpEntry[] => familyNames().flatMap(familyOf);

/** A formula with its placeholders named: {g} is g, {x0} the first input, {out} out, {param} the param. */
function readable(e: OpEntry, text: string): string {
  return text.replace(/\{(\w+)\}/g, (_m, name: string) => {
    const x = /^x(\d+)$/.exec(name);
    return x ? (e.inputs[Number(x[1])] ?? name) : name;
  });
}

/** The backward formula as one line (the docs' op reference and the builtin's doc line print it). */
export function backwardText(e: OpEntry): string {
  const fs = e.formulas ?? [];
  if (!fs.length) return 'not differentiable';
  if (fs.length === 1) return readable(e, fs[0]);
  return fs.map((f, i) => `d${e.inputs[i]}: ${readable(e, f)}`).join('; ');
}

export const ELEMENTWISE_BY_NAME: ReadonlyMap<string, ElementwiseEntry> = new Map(ELEMENTWISE.map((e) => [e.name, e]));

/** Every elementwise kernel fn (differentiable ops and masks), by arity: what the backends implement. */
export const KERNEL_FN_TABLE: ReadonlyMap<string, ElementwiseEntry | KernelFn> = new Map<
  string,
  ElementwiseEntry | KernelFn
>([...ELEMENTWISE.map((e) => [e.name, e] as const), ...KERNEL_FNS.map((e) => [e.name, e] as const)]);
export const fnsOfArity = (arity: 1 | 2) => [...KERNEL_FN_TABLE.values()].filter((e) => e.arity === arity);

/** The params of an entry as the kernel's extra scalars e0, e1, ... (their defaults where attrs lack them). */
export function extrasOf(fn: string, attrs: Readonly<Record<string, unknown>>): number[] {
  const e = ELEMENTWISE_BY_NAME.get(fn);
  return (e?.params ?? []).map((p) =>
    typeof attrs[p.name] === 'number' ? (attrs[p.name] as number) : paramNumber(p, p.default),
  );
}

/** A param's kernel value: the number, or a string choice's index (gelu's approximate="tanh" is 1). */
export function paramNumber(p: ParamDecl, v: unknown): number {
  if (p.choices) return p.choices.indexOf(String(v));
  return v as number;
}

/**
 * The scalar form of a fn: its js expression as a float64 function of numbers (parameters after the
 * inputs). Plain numbers in the language run this, so they agree with float64 tensors by construction.
 */
export function scalarForm(fn: ElementwiseEntry | KernelFn): (...args: number[]) => number {
  const names = fn.arity === 1 ? ['x'] : ['a', 'b'];
  const extras = ('params' in fn && fn.params ? fn.params : []).map((_p, k) => `e${k}`);
  const defaults = ('params' in fn && fn.params ? fn.params : []).map((p) => paramNumber(p, p.default));
  const f = new Function('H', ...names, ...extras, `return ${portableJs(fn.js)};`) as (...args: unknown[]) => number;
  return (...args: number[]) => f(HELPERS, ...args, ...defaults.slice(Math.max(args.length - names.length, 0)));
}
