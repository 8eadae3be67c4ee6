import { didYouMean, KEYWORD_ALIASES } from './did-you-mean';
import { LangError } from './operators';
import type { Value } from './values';

/**
 * Parameter lists and argument binding, shared by builtins (builtins/table.ts), the program's own functions
 * (call.ts) and runtime objects' methods (methods.ts): one binder, so every call rejects an unknown keyword or
 * a wrong count the same way. A leaf module, so those three need not import each other for it.
 */
export interface ParamSpec {
  name: string;
  default?: Value;
  /** Collects the remaining positional arguments (shapes given as separate numbers). */
  rest?: boolean;
}

/** Binds positional and keyword arguments to a parameter list, with sentences for every mistake. */
export function bindArgs(
  fnName: string,
  params: readonly ParamSpec[],
  args: readonly Value[],
  kwargs: ReadonlyMap<string, Value> | null,
): Value[] {
  const out: Value[] = new Array(params.length);
  const set = new Array<boolean>(params.length).fill(false);
  let ai = 0;
  for (let i = 0; i < params.length && ai < args.length; i++) {
    if (params[i].rest) {
      out[i] = args.slice(ai);
      ai = args.length;
      set[i] = true;
      break;
    }
    out[i] = args[ai++];
    set[i] = true;
  }
  if (ai < args.length)
    throw new LangError(
      `${fnName}() takes ${arity(params)} but ${args.length} ${args.length === 1 ? 'was' : 'were'} given`,
    );
  if (kwargs) {
    for (const [k, v] of kwargs) {
      const i = params.findIndex((p) => p.name === k);
      if (i < 0) {
        const names = params.map((p) => p.name);
        if (!names.length) throw new LangError(`${fnName}() takes no arguments, so no '${k}='`);
        throw new LangError(
          `${fnName}() has no parameter named '${k}'${didYouMean(k, names, KEYWORD_ALIASES)} (its parameters: ${names.join(', ') || 'none'})`,
        );
      }
      if (set[i]) throw new LangError(`${fnName}() got two values for '${k}'`);
      out[i] = v;
      set[i] = true;
    }
  }
  params.forEach((p, i) => {
    if (set[i]) return;
    if (p.rest) out[i] = [];
    else if ('default' in p) out[i] = p.default;
    else throw new LangError(`${fnName}() is missing its argument '${p.name}'`);
  });
  return out;
}

/** "2 arguments", "no arguments", "1 to 3 arguments" (those with defaults are optional). */
function arity(params: readonly ParamSpec[]): string {
  const most = params.length;
  const least = params.filter((p) => !p.rest && !('default' in p)).length;
  const plural = (n: number) => (n === 1 ? 'argument' : 'arguments');
  if (most === 0) return 'no arguments';
  if (least === most) return `${most} ${plural(most)}`;
  return `${least === 0 ? 'at most' : `${least} to`} ${most} ${plural(most)}`;
}

export function parseParam(p: string): ParamSpec {
  if (p.startsWith('*')) return { name: p.slice(1), rest: true };
  const eq = p.indexOf('=');
  if (eq < 0) return { name: p };
  const raw = p.slice(eq + 1);
  const v =
    raw === 'none'
      ? null
      : raw === 'true'
        ? true
        : raw === 'false'
          ? false
          : raw.startsWith('"')
            ? raw.slice(1, -1)
            : Number(raw);
  return { name: p.slice(0, eq), default: v };
}
