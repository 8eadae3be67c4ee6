import * as nb from '../runtime';
import { checkSequence, Tensor } from '../runtime';
import { show, truthy, Tuple, typeName, type Value } from './values';

/**
 * Operator semantics. Numbers stay numbers until they meet a tensor (`1 + 2` is 3); tensors go to the
 * runtime's differentiable ops; strings and lists concatenate with `+`. Comparisons on tensors give bool
 * tensors (not differentiable), on numbers and strings a boolean.
 */
export { LangError } from './lang-error';
import { LangError } from './lang-error';

const isT = (v: Value): v is Tensor => v instanceof Tensor;
const numeric = (v: Value): v is number | Tensor =>
  typeof v === 'number' || typeof v === 'boolean' || v instanceof Tensor;
const num = (v: Value) => (typeof v === 'boolean' ? (v ? 1 : 0) : v) as number | Tensor;

function bad(op: string, a: Value, b: Value): never {
  throw new LangError(`'${op}' is not defined between a ${typeName(a)} and a ${typeName(b)}`);
}

export function binary(op: string, a: Value, b: Value): Value {
  if (typeof a === 'number' && typeof b === 'number') {
    switch (op) {
      case '+':
        return a + b;
      case '-':
        return a - b;
      case '*':
        return a * b;
      case '/':
        return a / b;
      case '^':
        return nb.libm.pow(a, b);
      case '%':
        return ((a % b) + b) % b;
      case '==':
        return a === b;
      case '!=':
        return a !== b;
      case '<':
        return a < b;
      case '<=':
        return a <= b;
      case '>':
        return a > b;
      case '>=':
        return a >= b;
      case '@':
        throw new LangError("'@' multiplies matrices; for numbers use '*'");
    }
  }
  if (numeric(a) && numeric(b) && (isT(a) || isT(b))) return tensorBinary(op, num(a), num(b));
  switch (op) {
    case '+':
      if (typeof a === 'string' && typeof b === 'string')
        return (checkSequence('+', a.length + b.length, 'string'), a + b);
      if (typeof a === 'string' || typeof b === 'string') {
        const [x, y] = [typeof a === 'string' ? a : show(a), typeof b === 'string' ? b : show(b)];
        checkSequence('+', x.length + y.length, 'string');
        return x + y;
      }
      if (Array.isArray(a) && Array.isArray(b)) return (checkSequence('+', a.length + b.length, 'list'), [...a, ...b]);
      if (a instanceof Tuple && b instanceof Tuple) return new Tuple([...a.items, ...b.items]);
      break;
    case '*':
      if ((typeof a === 'string' || Array.isArray(a)) && typeof b === 'number') {
        const what = typeof a === 'string' ? 'string' : 'list';
        if (!Number.isInteger(b) || b < 0)
          throw new LangError(`a ${what} repeats a whole number of times ≥ 0, not ${b}`, 'ValueError');
        checkSequence('*', a.length * b, what);
        return typeof a === 'string' ? a.repeat(b) : Array.from({ length: b }, () => a).flat();
      }
      break;
    case '==':
      return equal(a, b);
    case '!=':
      return !equal(a, b);
    case '<':
    case '<=':
    case '>':
    case '>=':
      if (typeof a === 'string' && typeof b === 'string')
        return op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b;
      break;
    case '%':
      if (typeof a === 'boolean' || typeof b === 'boolean') return binary(op, num(a), num(b));
      break;
  }
  if (typeof a === 'boolean' || typeof b === 'boolean') {
    if (numeric(a) && numeric(b)) return binary(op, num(a), num(b));
  }
  return bad(op, a, b);
}

function equal(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return a === null || b === null ? a == b : false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equal(x, b[i]));
  if (a instanceof Tuple && b instanceof Tuple)
    return a.items.length === b.items.length && a.items.every((x, i) => equal(x, b.items[i]));
  return false;
}

function tensorBinary(op: string, a: number | Tensor, b: number | Tensor): Value {
  switch (op) {
    case '+':
      return nb.add(a, b);
    case '-':
      return nb.sub(a, b);
    case '*':
      return nb.mul(a, b);
    case '/':
      return nb.div(a, b);
    case '^':
      return nb.pow(a, b);
    case '@':
      if (!isT(a) || !isT(b)) throw new LangError("'@' needs two tensors; to scale by a number use '*'");
      return nb.matmul(a, b);
    case '==':
      return nb.eq(a, b);
    case '!=':
      return nb.ne(a, b);
    case '<':
      return nb.lt(a, b);
    case '<=':
      return nb.le(a, b);
    case '>':
      return nb.gt(a, b);
    case '>=':
      return nb.ge(a, b);
    case '%':
      throw new LangError("'%' is defined for numbers only");
  }
  throw new LangError(`unknown operator '${op}'`);
}

export function negate(v: Value): Value {
  if (typeof v === 'number') return -v;
  if (v instanceof Tensor) return nb.neg(v);
  if (typeof v === 'boolean') return v ? -1 : 0;
  throw new LangError(`cannot negate a ${typeName(v)}`);
}

export function not(v: Value): Value {
  if (v instanceof Tensor && v.size !== 1) return nb.eq(v, 0);
  return !truthy(v, 'not');
}

export function adjoint(v: Value): Value {
  if (v instanceof Tensor) return v.H;
  if (typeof v === 'number') return v;
  throw new LangError(`the adjoint ' applies to tensors, not to a ${typeName(v)}`);
}
