import './ops';
import type { IndexLike } from './ops/families/indexing';
import { allEntries, type ForwardEntry } from './ops/registry';
import { Tensor } from './tensor';

/**
 * Method forms of the registry ops that PyTorch has as tensor methods (entry.method), derived from the
 * registry: `x.flip([0])`, `x.tril()`, `A.det()`. Arguments are the entry's other inputs, then its params,
 * positionally, after the tensor; an omitted one takes its default.
 */
declare module './tensor' {
  interface Tensor {
    gather(axis: number, index: IndexLike): Tensor;
    indexSelect(axis: number, index: IndexLike): Tensor;
    scatterAdd(axis: number, index: IndexLike, src: Tensor): Tensor;
    sort(axis?: number, descending?: boolean, stable?: boolean): Tensor[];
    topk(k: number, axis?: number, largest?: boolean, sorted?: boolean): Tensor[];
    flip(dims: number | readonly number[]): Tensor;
    roll(shifts: number | readonly number[], dims?: number | readonly number[] | null): Tensor;
    tile(reps: number | readonly number[]): Tensor;
    repeatInterleave(repeats: IndexLike, axis?: number | null): Tensor;
    tril(diagonal?: number): Tensor;
    triu(diagonal?: number): Tensor;
    diag(diagonal?: number): Tensor;
    trace(): Tensor;
    det(): Tensor;
    slogdet(): Tensor[];
    cholesky(upper?: boolean): Tensor;
  }
}

const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const P = Tensor.prototype as any;
for (const e of allEntries() as ForwardEntry[]) {
  if (!e.method) continue;
  const more = e.inputs.length - 1;
  const params = e.params ?? [];
  P[camel(e.name)] = function (this: Tensor, ...args: unknown[]) {
    const kw = Object.fromEntries(params.map((p, i) => [p.name, args[more + i]]));
    return e.forward(this, ...args.slice(0, more), kw);
  };
}
