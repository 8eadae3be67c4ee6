import { FAMILIES } from './ops/families';
import type { IndexLike } from './ops/families/indexing';
import { Tensor } from './tensor';

/**
 * Method forms of the family ops that PyTorch has as tensor methods (entry.method), derived from the tables:
 * `x.flip([0])`, `x.tril()`, `A.det()`. Arguments are the entry's, positionally, after the tensor.
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
for (const { entries } of FAMILIES) {
  for (const e of entries) {
    if (!e.method) continue;
    P[camel(e.name)] = function (this: Tensor, ...args: unknown[]) {
      return e.forward(this, ...args);
    };
  }
}
