import { lanes } from '../dtype';
import { valueError } from '../errors';
import { enableGrad, noGrad } from '../mode';
import { Tensor } from '../tensor';
import { absMax, arith, dot, pyMin, strongWolfe } from './line_search';
import { Optimizer, readGrad, requireNumber, writable, type Closure, type ParamGroup, type Params } from './optimizer';

export interface LBFGSOptions {
  lr: number;
  maxIter: number;
  /** Most closure calls per step; PyTorch's default is floor(maxIter·5/4). */
  maxEval: number;
  toleranceGrad: number;
  toleranceChange: number;
  historySize: number;
  lineSearchFn: null | 'strong_wolfe';
  /** Not in PyTorch's LBFGS: ascends by running the same algorithm on −loss and −grad. */
  maximize: boolean;
  /**
   * A step's curvature pair (s, y) joins the history only when y·s > minCurvature. PyTorch fixes it at 1e-10,
   * an absolute bound: once the loss is small (a fitted PINN's ~1e-6) every pair falls under it, the history
   * stops changing and the search degrades to scaled steepest descent. 0 keeps every pair of positive
   * curvature, which is what SciPy's L-BFGS-B does in effect (it skips y·s ≤ ε_machine·|g·s|).
   */
  minCurvature: number;
}

const DEFAULTS: LBFGSOptions = {
  lr: 1,
  maxIter: 20,
  maxEval: 25,
  toleranceGrad: 1e-7,
  toleranceChange: 1e-9,
  historySize: 100,
  lineSearchFn: null,
  maximize: false,
  minCurvature: 1e-10,
};

/** What the language's names mean: `history=` and `line_search=` (LANGUAGE.md) are PyTorch's history_size and line_search_fn. */
export type LBFGSArgs = Partial<LBFGSOptions> & { history?: number; lineSearch?: null | 'strong_wolfe' };

/** y += a·x, PyTorch's y.add_(x, alpha=a). */
const axpy = (y: Float64Array, a: number, x: Float64Array) => {
  const fma = arith.fma;
  for (let i = 0; i < y.length; i++) y[i] = fma(a, x[i], y[i]);
};
const fmt = (v: number) =>
  Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4 ? String(Number(v.toPrecision(4))) : v.toExponential(2);
const scaled = (x: Float64Array, a: number) => x.map((v) => v * a);

/**
 * torch.optim.LBFGS (1.13), transcribed step for step: the two-loop recursion over at most historySize
 * curvature pairs, a first step of min(1, 1/|g|₁)·lr, optional strong-Wolfe line search, and PyTorch's
 * stopping tests in PyTorch's order, so the closure is called as often as in PyTorch. All params are handled
 * as one flat float64 vector (complex ones as their real and imaginary parts). Only one parameter group.
 */
export class LBFGS extends Optimizer<LBFGSOptions> {
  /** Why the last step stopped, as a sentence naming the test that fired (null before the first step). */
  stopReason: string | null = null;
  /** The same as one word: 'max_iter', 'max_eval', 'tolerance_grad', 'tolerance_change' or 'line_search'. */
  stopKind: string | null = null;
  /** Closure calls in the last step, and in all steps so far. */
  lastEvaluations = 0;
  evaluations = 0;
  /** Iterations of the last step. */
  lastIterations = 0;
  /** Curvature pairs left out of the history (y·s ≤ min_curvature), in all steps so far. */
  skippedPairs = 0;

  constructor(params: Params<LBFGSOptions>, args: LBFGSArgs = {}) {
    const { history, lineSearch, ...options } = args;
    if (history !== undefined) options.historySize ??= history;
    if (lineSearch !== undefined) options.lineSearchFn ??= lineSearch;
    options.maxEval ??= Math.floor(((options.maxIter ?? DEFAULTS.maxIter) * 5) / 4);
    super('lbfgs', params, DEFAULTS, options);
    if (this.paramGroups.length !== 1)
      throw valueError('lbfgs', "doesn't support per-parameter options (parameter groups); pass one list of tensors");
  }

  protected check(g: ParamGroup<LBFGSOptions>): void {
    requireNumber(this.name, 'lr', g.lr, (x) => x >= 0, '>= 0');
    // named as the language and PyTorch name them
    requireNumber(this.name, 'max_iter', g.maxIter, (x) => Number.isInteger(x) && x > 0, 'a positive integer');
    requireNumber(this.name, 'max_eval', g.maxEval, (x) => x > 0, '> 0');
    requireNumber(this.name, 'history', g.historySize, (x) => Number.isInteger(x) && x > 0, 'a positive integer');
    requireNumber(this.name, 'min_curvature', g.minCurvature, (x) => x >= 0, '>= 0');
    if (g.lineSearchFn !== null && g.lineSearchFn !== 'strong_wolfe')
      throw valueError(
        this.name,
        `only line_search='strong_wolfe' (or none) is supported, got ${JSON.stringify(g.lineSearchFn)}`,
      );
  }

  /** L-BFGS keeps its vectors on the host: saved tensors become Float64Arrays again (lists of them likewise). */
  protected override stateFromSaved(key: string, v: unknown): unknown {
    const back = (x: unknown): unknown =>
      x instanceof Tensor ? Float64Array.from(x.toHost()) : Array.isArray(x) ? x.map(back) : x;
    return back(v);
  }

  override toString(): string {
    const last = this.stopReason
      ? `\n  last step: ${this.lastIterations} iterations, ${this.lastEvaluations} evaluations; stopped by ${this.stopReason}`
      : '';
    return super.toString() + last;
  }

  protected update(): void {
    throw valueError(this.name, 'step needs a closure');
  }

  private get params(): Tensor[] {
    return this.paramGroups[0].params;
  }

  /** The params' gradients as one flat vector (zeros for a param without .grad), negated when maximizing. */
  private flatGrad(sign: number): Float64Array {
    const out = new Float64Array(this.params.reduce((n, p) => n + p.size * lanes(p.dtype), 0));
    let off = 0;
    for (const p of this.params) {
      const n = p.size * lanes(p.dtype);
      if (p.grad) {
        const g = readGrad(this.name, p, p.grad);
        for (let i = 0; i < n; i++) out[off + i] = sign * g[i];
      }
      off += n;
    }
    return out;
  }

  /** p += t·d[p's slice], or p = values[p's slice] when `set`. */
  private write(d: Float64Array, t: number, set = false): void {
    const fma = arith.fma;
    let off = 0;
    for (const p of this.params) {
      const w = writable(p, 'lbfgs.step()');
      const x = w.data;
      for (let i = 0; i < x.length; i++) x[i] = set ? d[off + i] : fma(t, d[off + i], x[i]);
      off += x.length;
      w.commit();
    }
  }

  private flatParams(): Float64Array {
    const parts = this.params.map((p) => p.toHost());
    const out = new Float64Array(parts.reduce((n, h) => n + h.length, 0));
    parts.reduce((off, h) => (out.set(h, off), off + h.length), 0);
    return out;
  }

  /**
   * One L-BFGS step: up to maxIter iterations and maxEval closure calls. The closure zeroes the grads, computes
   * the loss, calls backward and returns the loss; step returns the loss of its first call (as PyTorch does).
   */
  override step(closure?: Closure): Tensor | number {
    if (!closure)
      throw valueError(
        this.name,
        'step needs a closure that re-evaluates the loss: it zeroes the grads, computes the loss, calls backward and returns the loss',
      );
    const g = this.paramGroups[0];
    const { lr, maxIter, maxEval, toleranceGrad, toleranceChange, historySize, lineSearchFn, minCurvature } = g;
    const sign = g.maximize ? -1 : 1;
    const call = (): [Tensor | number, number] => {
      const out = enableGrad(closure);
      return [out, sign * Number(typeof out === 'number' ? out : out.item())];
    };
    const st = this.stateOf(this.params[0]); // PyTorch keeps L-BFGS's global state under the first param
    st.funcEvals ??= 0;
    st.nIter ??= 0;
    return noGrad(() => {
      const [origLoss, firstLoss] = call();
      let loss = firstLoss;
      let currentEvals = 1;
      st.funcEvals++;
      let flatGrad = this.flatGrad(sign);
      let optCond = absMax(flatGrad) <= toleranceGrad;
      const gradStop = () =>
        `gradient tolerance: max |grad| = ${fmt(absMax(flatGrad))} <= tolerance_grad = ${fmt(toleranceGrad)}`;
      let reason = `max iterations: ${maxIter} iterations (max_iter)`;
      const finish = () => {
        this.stopReason = reason;
        this.stopKind = reason.startsWith('max iter')
          ? 'max_iter'
          : reason.startsWith('max eval')
            ? 'max_eval'
            : reason.startsWith('gradient')
              ? 'tolerance_grad'
              : reason.startsWith('change')
                ? 'tolerance_change'
                : 'line_search';
        this.lastEvaluations = currentEvals;
        this.evaluations += currentEvals;
        this.lastIterations = nIter;
      };
      let nIter = 0;
      if (optCond) {
        reason = gradStop();
        finish();
        return origLoss;
      }

      let { d, t, oldDirs, oldStps, ro, hDiag, prevFlatGrad, prevLoss } = st as Record<string, any>;
      while (nIter < maxIter) {
        nIter++;
        st.nIter++;
        // ---- direction: steepest descent first, then the two-loop recursion
        if (st.nIter === 1) {
          d = scaled(flatGrad, -1);
          [oldDirs, oldStps, ro, hDiag] = [[], [], [], 1];
        } else {
          const y = flatGrad.map((v, i) => v - prevFlatGrad[i]);
          const s = scaled(d, t);
          const ys = dot(y, s);
          if (!(ys > minCurvature)) this.skippedPairs++;
          else {
            if (oldDirs.length === historySize) [oldDirs, oldStps, ro].forEach((h) => h.shift());
            oldDirs.push(y);
            oldStps.push(s);
            ro.push(1 / ys);
            hDiag = ys / dot(y, y);
          }
          const al: number[] = (st.al ??= new Array(historySize).fill(null));
          const q = scaled(flatGrad, -1);
          for (let i = oldDirs.length - 1; i >= 0; i--) {
            al[i] = dot(oldStps[i], q) * ro[i];
            axpy(q, -al[i], oldDirs[i]);
          }
          d = scaled(q, hDiag);
          for (let i = 0; i < oldDirs.length; i++) axpy(d, al[i] - dot(oldDirs[i], d) * ro[i], oldStps[i]);
        }
        prevFlatGrad = Float64Array.from(flatGrad);
        prevLoss = loss;

        // ---- step length
        t = st.nIter === 1 ? pyMin(1, 1 / flatGrad.reduce((a, v) => a + Math.abs(v), 0)) * lr : lr;
        const gtd = dot(flatGrad, d);
        if (gtd > -toleranceChange) {
          // not a descent direction (to tolerance): the search has nowhere to go
          reason = `change tolerance: the loss cannot decrease along the search direction (grad·d = ${fmt(gtd)} > -tolerance_change = ${fmt(-toleranceChange)})`;
          break;
        }

        let lsEvals = 0;
        let searchOk = true;
        if (lineSearchFn === 'strong_wolfe') {
          const x0 = this.flatParams();
          const directional = (tt: number, dd: Float64Array): [number, Float64Array] => {
            this.write(dd, tt);
            const f = call()[1];
            const gr = this.flatGrad(sign);
            this.write(x0, 0, true);
            return [f, gr];
          };
          ({
            f: loss,
            g: flatGrad,
            t,
            evals: lsEvals,
            satisfied: searchOk,
          } = strongWolfe(directional, t, d, loss, flatGrad, gtd));
          this.write(d, t);
          optCond = absMax(flatGrad) <= toleranceGrad;
        } else {
          this.write(d, t);
          // a fixed step re-evaluates except on the last iteration (no use for it there in a stochastic setting)
          if (nIter !== maxIter) {
            loss = call()[1];
            flatGrad = this.flatGrad(sign);
            optCond = absMax(flatGrad) <= toleranceGrad;
            lsEvals = 1;
          }
        }
        currentEvals += lsEvals;
        st.funcEvals += lsEvals;

        // ---- stopping tests, in PyTorch's order
        if (nIter === maxIter) break;
        if (currentEvals >= maxEval) {
          reason = `max evaluations: ${currentEvals} closure calls (max_eval = ${maxEval})`;
          break;
        }
        if (optCond) {
          reason = gradStop();
          break;
        }
        // a change test that fires right after a failed line search is named for the search
        const failed = searchOk
          ? ''
          : 'line search failure: the strong-Wolfe search found no step meeting its conditions, so ';
        if (absMax(scaled(d, t)) <= toleranceChange) {
          // the step no longer moves the params
          reason = `${failed || 'change tolerance: '}the step moved no parameter by more than tolerance_change = ${fmt(toleranceChange)}`;
          break;
        }
        if (Math.abs(loss - prevLoss) < toleranceChange) {
          reason = `${failed || 'change tolerance: '}the loss changed by ${fmt(Math.abs(loss - prevLoss))} < tolerance_change = ${fmt(toleranceChange)}`;
          break;
        }
      }
      finish();
      Object.assign(st, { d, t, oldDirs, oldStps, ro, hDiag, prevFlatGrad, prevLoss });
      return origLoss;
    });
  }
}

/** lbfgs(params, lr=1, maxIter=20, maxEval=maxIter·5/4, toleranceGrad=1e-7, toleranceChange=1e-9, historySize=100, lineSearchFn=null). */
export function lbfgs(params: Params<LBFGSOptions>, lrOrOptions?: number | LBFGSArgs, options?: LBFGSArgs): LBFGS {
  return new LBFGS(
    params,
    typeof lrOrOptions === 'number' ? { ...options, lr: lrOrOptions } : { ...lrOrOptions, ...options },
  );
}
